package main

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestMissingCaps(t *testing.T) {
	// This VM: every capability up to 40 but CAP_SYS_RESOURCE (bit 24).
	got := missingCaps(0x1fffeffffff)
	if !reflect.DeepEqual(got, map[string]bool{"CAP_SYS_RESOURCE": true}) {
		t.Fatalf("missingCaps = %v", got)
	}
}

func TestSpecFiles(t *testing.T) {
	got := specFiles([]string{"--root", "/r", "create", "--bundle", "/b", "--pid-file", "/p", "id"})
	want := []specFile{{"/b/config.json", true}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("create: %v", got)
	}
	got = specFiles([]string{"exec", "--process=/tmp/proc.json", "-d", "id"})
	if !reflect.DeepEqual(got, []specFile{{"/tmp/proc.json", false}}) {
		t.Fatalf("exec: %v", got)
	}
}

func TestFilterSpec(t *testing.T) {
	in := []byte(`{"ociVersion":"1.0.2","process":{"user":{"uid":0},"capabilities":{"bounding":["CAP_CHOWN","CAP_SYS_RESOURCE"],"effective":["CAP_SYS_RESOURCE"]},"oomScoreAdj":-999},"linux":{"resources":{"memory":{"limit":9007199254740993}}}}`)
	out, changed, err := filterSpec(in, true, map[string]bool{"CAP_SYS_RESOURCE": true})
	if err != nil || !changed {
		t.Fatalf("changed=%v err=%v", changed, err)
	}
	var doc struct {
		Process struct {
			Capabilities map[string][]string
			OomScoreAdj  int `json:"oomScoreAdj"`
		}
		Linux struct {
			Resources struct{ Memory struct{ Limit json.Number } }
		}
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(doc.Process.Capabilities, map[string][]string{"bounding": {"CAP_CHOWN"}, "effective": {}}) {
		t.Fatalf("capabilities = %v", doc.Process.Capabilities)
	}
	if doc.Linux.Resources.Memory.Limit != "9007199254740993" || doc.Process.OomScoreAdj != -999 {
		t.Fatalf("other fields changed: %s", out)
	}
	same, changed, _ := filterSpec([]byte(`{"capabilities":{"bounding":["CAP_CHOWN"]}}`), false, map[string]bool{"CAP_SYS_RESOURCE": true})
	if changed || string(same) != `{"capabilities":{"bounding":["CAP_CHOWN"]}}` {
		t.Fatalf("unchanged process file rewritten: %s", same)
	}
}
