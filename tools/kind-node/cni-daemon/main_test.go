package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestConflist(t *testing.T) {
	text, err := conflist([]string{"10.244.0.0/24", "fd00:10:244::/64"}, 1450)
	if err != nil {
		t.Fatal(err)
	}
	var c struct {
		CniVersion string
		Plugins    []struct {
			Type string
			Mtu  int
			Ipam struct {
				Ranges [][]struct{ Subnet string }
				Routes []struct{ Dst string }
			}
		}
	}
	if err := json.Unmarshal([]byte(text), &c); err != nil {
		t.Fatal(err)
	}
	if len(c.Plugins) != 2 || c.Plugins[0].Type != "ptp" || c.Plugins[1].Type != "portmap" || c.Plugins[0].Mtu != 1450 {
		t.Fatalf("plugins: %s", text)
	}
	r := c.Plugins[0].Ipam
	if r.Ranges[0][0].Subnet != "10.244.0.0/24" || r.Ranges[1][0].Subnet != "fd00:10:244::/64" || r.Routes[0].Dst != "0.0.0.0/0" || r.Routes[1].Dst != "::/0" {
		t.Fatalf("ipam: %s", text)
	}
}

func TestMasqueradeRules(t *testing.T) {
	s := masqueradeRules("10.244.0.0/16")
	for _, want := range []string{"delete table ip meshproof-cni", "ip saddr 10.244.0.0/16 ip daddr != 10.244.0.0/16 masquerade", "type nat hook postrouting"} {
		if !strings.Contains(s, want) {
			t.Fatalf("missing %q in:\n%s", want, s)
		}
	}
}
