/**
 * The environment every Go build of the project runs with (the kwok control plane and the kind node
 * image): static binaries (no cgo), go.mod as committed, no VCS stamping. One definition, because
 * the same flags mean the same entries in Go's build cache, so packages both builds share compile once.
 */
export function goEnv(): Record<string, string> {
  return { CGO_ENABLED: '0', GOFLAGS: '-mod=readonly -buildvcs=false', GOWORK: 'off' };
}
