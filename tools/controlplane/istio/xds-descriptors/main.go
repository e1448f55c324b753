// Command xds-descriptors writes, as one binary FileDescriptorSet to the file it is given, the protobuf
// descriptors of every xDS type this istiod can send: Envoy's discovery, listener, route, cluster
// and endpoint APIs, each filter istioctl knows how to decode (Istio's own registry of filter
// types), Istio's own filter configs, and the TypedStruct wrappers for filters compiled only into
// istio-proxy. The rehearsal's proxies decode xDS and print Envoy's JSON with a protobuf library fed
// these descriptors, so they read exactly the API version istiod was built against.
package main

import (
	"fmt"
	"os"
	"sort"

	_ "github.com/cncf/xds/go/udpa/type/v1"
	_ "github.com/cncf/xds/go/xds/type/matcher/v3"
	_ "github.com/cncf/xds/go/xds/type/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	_ "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"
	_ "istio.io/api/envoy/config/filter/http/alpn/v2alpha1"
	_ "istio.io/api/envoy/config/filter/http/jwt_auth/v2alpha1"
	_ "istio.io/api/envoy/config/filter/network/tcp_cluster_rewrite/v2alpha1"
	_ "istio.io/api/envoy/extensions/stackdriver/config/v1alpha1"
	_ "istio.io/api/envoy/extensions/stats"
	_ "istio.io/istio/pkg/config/xds"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: xds-descriptors OUTPUT-FILE")
		os.Exit(2)
	}
	set := &descriptorpb.FileDescriptorSet{}
	seen := map[string]bool{}
	// Dependencies first: a reader can then resolve each file as it meets it.
	var add func(f protoreflect.FileDescriptor)
	add = func(f protoreflect.FileDescriptor) {
		if seen[f.Path()] {
			return
		}
		seen[f.Path()] = true
		imports := f.Imports()
		for i := 0; i < imports.Len(); i++ {
			add(imports.Get(i).FileDescriptor)
		}
		set.File = append(set.File, protodesc.ToFileDescriptorProto(f))
	}
	// The registry ranges in map order: sorted by path (and marshalled deterministically) the same
	// binaries always write the same bytes, which the kind build's content keys rely on.
	var files []protoreflect.FileDescriptor
	protoregistry.GlobalFiles.RangeFiles(func(f protoreflect.FileDescriptor) bool {
		files = append(files, f)
		return true
	})
	sort.Slice(files, func(i, j int) bool { return files[i].Path() < files[j].Path() })
	for _, f := range files {
		add(f)
	}
	out, err := proto.MarshalOptions{Deterministic: true}.Marshal(set)
	if err != nil {
		fmt.Fprintln(os.Stderr, "xds-descriptors:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "xds-descriptors:", err)
		os.Exit(1)
	}
}
