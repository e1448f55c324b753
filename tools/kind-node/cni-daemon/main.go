// cni-daemon: the pod network of meshproof's locally built kind node image. kind installs it from
// /kind/manifests/default-cni.yaml in place of kindnetd (whose module the Go proxy here does not
// serve). It does the three things a single- or multi-node kind cluster needs, and nothing more:
//
//   - writes /etc/cni/net.d/10-meshproof.conflist for this node's podCIDRs: the ptp plugin with
//     host-local IPAM and portmap (binaries from the node image's /opt/cni/bin). kubelet reports
//     the node Ready once a CNI config exists.
//   - routes every other node's podCIDRs via that node's InternalIP.
//   - masquerades traffic from the pod subnet to anything outside it (nftables table
//     "meshproof-cni"), so pods reach the host and the outside world.
//
// It re-reads the node list every few seconds; each step is idempotent.
//
// Environment: NODE_NAME (downward API), POD_SUBNET (kind templates it into the manifest),
// CONTROL_PLANE_ENDPOINT (kind patches it in: the API server's host:port on the node network, so
// the daemon starts before kube-proxy has programmed the kubernetes Service).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

const (
	confFile = "/etc/cni/net.d/10-meshproof.conflist"
	nftTable = "meshproof-cni"
	interval = 5 * time.Second
)

type daemon struct {
	client    kubernetes.Interface
	node      string
	podSubnet string
	// What was last applied, so a steady state does no work.
	conf   string
	masq   string
	routes map[string]string
}

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	d := &daemon{node: os.Getenv("NODE_NAME"), podSubnet: os.Getenv("POD_SUBNET"), routes: map[string]string{}}
	if d.node == "" {
		log.Fatal("NODE_NAME is not set (the manifest passes it from the downward API)")
	}
	cfg, err := rest.InClusterConfig()
	if err != nil {
		log.Fatalf("in-cluster config: %v", err)
	}
	if ep := os.Getenv("CONTROL_PLANE_ENDPOINT"); ep != "" {
		cfg.Host = "https://" + ep
	}
	if d.client, err = kubernetes.NewForConfig(cfg); err != nil {
		log.Fatalf("kubernetes client: %v", err)
	}
	log.Printf("cni-daemon: node %s, pod subnet %q, API server %s", d.node, d.podSubnet, cfg.Host)
	for {
		if err := d.sync(); err != nil {
			log.Printf("sync: %v", err)
		}
		time.Sleep(interval)
	}
}

func (d *daemon) sync() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	nodes, err := d.client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	for i := range nodes.Items {
		n := &nodes.Items[i]
		if n.Name == d.node {
			if err := d.writeConf(podCIDRs(n)); err != nil {
				return err
			}
			continue
		}
		if err := d.routeTo(n); err != nil {
			return err
		}
	}
	return d.masquerade()
}

func (d *daemon) writeConf(cidrs []string) error {
	if len(cidrs) == 0 {
		log.Printf("node %s has no podCIDR yet", d.node)
		return nil
	}
	conf, err := conflist(cidrs, defaultRouteMTU())
	if err != nil {
		return err
	}
	if conf == d.conf {
		return nil
	}
	if old, err := os.ReadFile(confFile); err != nil || !bytes.Equal(old, []byte(conf)) {
		tmp := confFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(conf), 0o644); err != nil {
			return fmt.Errorf("write %s: %w", tmp, err)
		}
		if err := os.Rename(tmp, confFile); err != nil {
			return fmt.Errorf("rename %s: %w", tmp, err)
		}
		log.Printf("wrote %s for %v", confFile, cidrs)
	}
	d.conf = conf
	return nil
}

func (d *daemon) routeTo(n *corev1.Node) error {
	for _, cidr := range podCIDRs(n) {
		via := internalIP(n, strings.Contains(cidr, ":"))
		if via == "" || d.routes[cidr] == via {
			continue
		}
		if out, err := exec.Command("ip", "route", "replace", cidr, "via", via).CombinedOutput(); err != nil {
			return fmt.Errorf("ip route replace %s via %s: %w: %s", cidr, via, err, out)
		}
		d.routes[cidr] = via
		log.Printf("route %s via %s (node %s)", cidr, via, n.Name)
	}
	return nil
}

// masquerade replaces the nftables table that NATs pod traffic leaving the pod subnet (IPv4).
func (d *daemon) masquerade() error {
	if d.podSubnet == "" || d.podSubnet == d.masq {
		return nil
	}
	var v4 []string
	for _, s := range strings.Split(d.podSubnet, ",") {
		if s = strings.TrimSpace(s); s != "" && !strings.Contains(s, ":") {
			v4 = append(v4, s)
		}
	}
	if len(v4) == 0 {
		d.masq = d.podSubnet
		return nil
	}
	cmd := exec.Command("nft", "-f", "-")
	cmd.Stdin = strings.NewReader(masqueradeRules(v4[0]))
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("nft -f -: %w: %s", err, out)
	}
	d.masq = d.podSubnet
	log.Printf("masquerading traffic from %s to outside it", v4[0])
	return nil
}

// masqueradeRules is an nft script that (re)creates the table: declaring it first makes the
// delete succeed on the first run too.
func masqueradeRules(subnet string) string {
	return fmt.Sprintf(`table ip %[1]s
delete table ip %[1]s
table ip %[1]s {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr %[2]s ip daddr != %[2]s masquerade
	}
}
`, nftTable, subnet)
}

func podCIDRs(n *corev1.Node) []string {
	if len(n.Spec.PodCIDRs) > 0 {
		return n.Spec.PodCIDRs
	}
	if n.Spec.PodCIDR != "" {
		return []string{n.Spec.PodCIDR}
	}
	return nil
}

func internalIP(n *corev1.Node, v6 bool) string {
	for _, a := range n.Status.Addresses {
		if a.Type != corev1.NodeInternalIP {
			continue
		}
		if ip := net.ParseIP(a.Address); ip != nil && (ip.To4() == nil) == v6 {
			return a.Address
		}
	}
	return ""
}

// conflist is the CNI configuration for the node's pod CIDRs.
func conflist(cidrs []string, mtu int) (string, error) {
	ranges := make([][]map[string]string, 0, len(cidrs))
	routes := make([]map[string]string, 0, len(cidrs))
	for _, c := range cidrs {
		ranges = append(ranges, []map[string]string{{"subnet": c}})
		dst := "0.0.0.0/0"
		if strings.Contains(c, ":") {
			dst = "::/0"
		}
		routes = append(routes, map[string]string{"dst": dst})
	}
	conf := map[string]any{
		"cniVersion": "1.0.0",
		"name":       "meshproof",
		"plugins": []any{
			map[string]any{
				"type":   "ptp",
				"ipMasq": false,
				"mtu":    mtu,
				"ipam": map[string]any{
					"type":    "host-local",
					"dataDir": "/run/cni-ipam-state",
					"ranges":  ranges,
					"routes":  routes,
				},
			},
			map[string]any{"type": "portmap", "capabilities": map[string]bool{"portMappings": true}},
		},
	}
	b, err := json.MarshalIndent(conf, "", "  ")
	return string(b) + "\n", err
}

// defaultRouteMTU is the MTU of the interface that carries the default route (eth0 under kind).
func defaultRouteMTU() int {
	out, err := exec.Command("ip", "-o", "route", "show", "default").Output()
	if err != nil {
		return 1500
	}
	f := strings.Fields(string(out))
	for i := 0; i+1 < len(f); i++ {
		if f[i] == "dev" {
			if ifc, err := net.InterfaceByName(f[i+1]); err == nil {
				return ifc.MTU
			}
		}
	}
	return 1500
}
