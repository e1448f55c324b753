// runc-capfilter: an OCI runtime for dockerd (`--add-runtime`) on hosts whose bounding set lacks a
// capability the kernel knows (this VM has no CAP_SYS_RESOURCE). Docker gives `--privileged`
// containers, which every kind node is, every capability the kernel knows, and runc then fails
// with "unable to apply caps: operation not permitted". Before handing over to runc, this removes
// from the container's capability sets every capability outside its own bounding set: in the
// bundle's config.json (`create`/`run --bundle DIR`) and in the process file of `exec --process FILE`.
// Everything else passes through unchanged; runc is found on PATH (or RUNC, if set).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// capNames are the capability names by bit number (linux/capability.h).
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
	"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
	"CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

func main() {
	args := os.Args[1:]
	if bnd, err := boundingSet(); err != nil {
		fmt.Fprintf(os.Stderr, "runc-capfilter: %v (passing the spec through unchanged)\n", err)
	} else {
		missing := missingCaps(bnd)
		for _, f := range specFiles(args) {
			if err := filterFile(f.path, f.underProcess, missing); err != nil {
				fmt.Fprintf(os.Stderr, "runc-capfilter: %s: %v\n", f.path, err)
				os.Exit(1)
			}
		}
	}
	runc := os.Getenv("RUNC")
	if runc == "" {
		var err error
		if runc, err = exec.LookPath("runc"); err != nil {
			fmt.Fprintf(os.Stderr, "runc-capfilter: runc not found on PATH: %v\n", err)
			os.Exit(127)
		}
	}
	if err := syscall.Exec(runc, append([]string{runc}, args...), os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "runc-capfilter: exec %s: %v\n", runc, err)
		os.Exit(126)
	}
}

// boundingSet reads CapBnd from /proc/self/status.
func boundingSet() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "CapBnd:"); ok {
			return strconv.ParseUint(strings.TrimSpace(v), 16, 64)
		}
	}
	return 0, fmt.Errorf("no CapBnd line in /proc/self/status")
}

// missingCaps names the known capabilities whose bit is not in the bounding set.
func missingCaps(bnd uint64) map[string]bool {
	out := map[string]bool{}
	for bit, name := range capNames {
		if bnd&(1<<uint(bit)) == 0 {
			out[name] = true
		}
	}
	return out
}

type specFile struct {
	path string
	// true for a bundle's config.json (capabilities under .process), false for an exec process file.
	underProcess bool
}

// specFiles finds the files runc will read capabilities from in its arguments.
func specFiles(args []string) []specFile {
	var out []specFile
	for i, a := range args {
		next := ""
		if i+1 < len(args) {
			next = args[i+1]
		}
		switch {
		case (a == "--bundle" || a == "-b") && next != "":
			out = append(out, specFile{filepath.Join(next, "config.json"), true})
		case strings.HasPrefix(a, "--bundle="):
			out = append(out, specFile{filepath.Join(strings.TrimPrefix(a, "--bundle="), "config.json"), true})
		case (a == "--process" || a == "-p") && next != "":
			out = append(out, specFile{next, false})
		case strings.HasPrefix(a, "--process="):
			out = append(out, specFile{strings.TrimPrefix(a, "--process="), false})
		}
	}
	return out
}

// filterFile rewrites the file in place when a capability set names a missing capability.
func filterFile(path string, underProcess bool, missing map[string]bool) error {
	in, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	out, changed, err := filterSpec(in, underProcess, missing)
	if err != nil || !changed {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

// filterSpec drops the missing capabilities from every set (bounding, effective, inheritable,
// permitted, ambient) of an OCI config (underProcess) or process (not). Numbers keep their text.
func filterSpec(in []byte, underProcess bool, missing map[string]bool) ([]byte, bool, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, false, err
	}
	proc := doc
	if underProcess {
		p, ok := doc["process"].(map[string]any)
		if !ok {
			return in, false, nil
		}
		proc = p
	}
	sets, ok := proc["capabilities"].(map[string]any)
	if !ok {
		return in, false, nil
	}
	changed := false
	for name, v := range sets {
		list, ok := v.([]any)
		if !ok {
			continue
		}
		kept := make([]any, 0, len(list))
		for _, c := range list {
			if s, ok := c.(string); ok && missing[s] {
				changed = true
				continue
			}
			kept = append(kept, c)
		}
		sets[name] = kept
	}
	if !changed {
		return in, false, nil
	}
	out, err := json.Marshal(doc)
	return out, true, err
}
