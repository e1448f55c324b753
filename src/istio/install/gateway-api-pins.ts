/**
 * The Gateway API's standard-channel install, file by file, with the sha256 of each. The digests are
 * those of the files in the Go module `sigs.k8s.io/gateway-api@v1.6.0` (module hash
 * h1:735YBRj5NXFrOGX0GoSjwzUIzbz8kiEOfADsqHFmHgE=, which the Go checksum database vouches for): a
 * module is the repository's tree at its tag, so these are the files at tag v1.6.0 under
 * `config/crd/standard/`, in the order of that folder's kustomization. The release's
 * `standard-install.yaml` is these files joined under a license header stamped with the build's
 * year, so its digest can't be derived; the files themselves can, and are what is fetched.
 * `npx tsx scripts/gateway-api-pins.ts VERSION` prints this table for another release.
 */
export interface PinnedFile {
  file: string;
  sha256: string;
}

export const GATEWAY_API_STANDARD_FILES: Readonly<Record<string, readonly PinnedFile[]>> = Object.freeze({
  'v1.6.0': [
    {
      file: 'gateway.networking.k8s.io_gatewayclasses.yaml',
      sha256: 'a09b320e69257056e34f268160f883e98d4da9b8786fff3463484ba5fda719df',
    },
    {
      file: 'gateway.networking.k8s.io_gateways.yaml',
      sha256: '7dcaf56db92b197207bc149f049c1be0208bedc8608a56905900d3bfc71b8632',
    },
    {
      file: 'gateway.networking.k8s.io_grpcroutes.yaml',
      sha256: 'a97b717e425979726039c813f308f8ab9686e5478ee5072eec5f94ec61db3bf5',
    },
    {
      file: 'gateway.networking.k8s.io_httproutes.yaml',
      sha256: '8c05f321e53b5df6aa4bdbf622a01db9c331f26d7b9723b0fc47001c1341858a',
    },
    {
      file: 'gateway.networking.k8s.io_referencegrants.yaml',
      sha256: '37ab52cd8db78fb1fe14140aba96b64f6012a1fb6eb9b98daa321adb57b42f17',
    },
    {
      file: 'gateway.networking.k8s.io_backendtlspolicies.yaml',
      sha256: '05dd20abea3eb1b5108b9a842a8482d5099db24bd9047bfd3965c7f27a047db7',
    },
    {
      file: 'gateway.networking.k8s.io_listenersets.yaml',
      sha256: '2dc80892f2bf636bd678e504bca04f52856f21eef2202091ea842ef39b52339f',
    },
    {
      file: 'gateway.networking.k8s.io_tcproutes.yaml',
      sha256: 'a4659f3e1fd7cdd21c44757d9f0febef930dac4fe5f0430c857d5eb853d6e686',
    },
    {
      file: 'gateway.networking.k8s.io_tlsroutes.yaml',
      sha256: 'b3f7a900cb767b7be07fec6d277afe43a9b1db36053fef95beacccb1190fa6ca',
    },
    {
      file: 'gateway.networking.k8s.io_udproutes.yaml',
      sha256: '33250d34719f05cd1791e5ea2f36d2c8323f6828c204643c53734df41d3d6e1b',
    },
    {
      file: 'gateway.networking.k8s.io_vap_safeupgrades.yaml',
      sha256: 'f3c4889dc8ad81a76b3c99b43462d492c8396de7c1387dbfb818edaf24841261',
    },
  ],
});
