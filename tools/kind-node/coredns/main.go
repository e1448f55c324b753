// coredns: CoreDNS (github.com/coredns/coredns at the version this module's go.mod pins, the one
// kubeadm asks for) linked with only the plugins kubeadm's default Corefile names, plus log, so the
// build compiles none of CoreDNS's cloud-provider plugins. The order plugins run in is CoreDNS's own
// (core/dnsserver/zdirectives.go), whatever the import order here. A Corefile that names a plugin
// not linked in fails to load ("missing a plugin?"): add its import here.
package main

import (
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/forward"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/loadbalance"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/metrics" // the Corefile's "prometheus"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

func main() {
	coremain.Run()
}
