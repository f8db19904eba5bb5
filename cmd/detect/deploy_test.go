package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestDeployFiles checks the Dockerfile and deploy/kubernetes against the
// command they run (no Docker or cluster here): every flag they pass
// parses, the ports agree, the probes are the server's routes and the CPU
// request is workers × threads.
func TestDeployFiles(t *testing.T) {
	root := repoRootDir(t)
	read := func(rel string) string {
		b, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "\t") && strings.HasSuffix(rel, ".yaml") {
			t.Errorf("%s: YAML must not contain tabs", rel)
		}
		return string(b)
	}
	docker := read("Dockerfile")
	jsonArray := func(directive string) []string {
		m := regexp.MustCompile(`(?m)^` + directive + `\s+(?:.*\\\n\s*)?(?:CMD\s+)?(\[.*\])\s*$`).FindStringSubmatch(docker)
		if m == nil {
			t.Fatalf("Dockerfile: no %s [...] (exec form: the image has no shell)", directive)
		}
		var a []string
		if err := json.Unmarshal([]byte(m[1]), &a); err != nil {
			t.Fatalf("Dockerfile %s: %v", directive, err)
		}
		return a
	}
	entry, health := jsonArray("ENTRYPOINT"), jsonArray("HEALTHCHECK")
	if len(entry) < 2 || entry[0] != "/detect" || entry[1] != "serve" || len(health) != 4 || health[1] != "serve" || health[2] != "-healthcheck" {
		t.Fatalf("Dockerfile: ENTRYPOINT %q, HEALTHCHECK %q", entry, health)
	}
	if !strings.Contains(docker, "FROM scratch") || !strings.Contains(docker, "CGO_ENABLED=0") || !regexp.MustCompile(`(?m)^USER [1-9]`).MatchString(docker) {
		t.Error("Dockerfile: want a static binary on scratch, run by a non-root user")
	}

	deploy := read("deploy/kubernetes/deployment.yaml")
	var args []string
	for _, m := range regexp.MustCompile(`(?m)^\s+- (-[a-z-]+=\S+)\s*$`).FindAllStringSubmatch(deploy, -1) {
		args = append(args, m[1])
	}
	if len(args) == 0 {
		t.Fatal("deployment.yaml: no args")
	}
	// Every flag parses: with -healthcheck on a closed port the command
	// gets as far as the probe (exit 1), where a bad flag would exit 2.
	all := append(append(entry[1:], args...), "-healthcheck", "http://127.0.0.1:1/healthz")
	if code, _, errs := runCmd(all...); code != 1 {
		t.Errorf("detect %s: exit %d (flags do not parse?): %s", strings.Join(all, " "), code, errs)
	}
	flag := func(name string) int {
		for _, a := range args {
			if v, ok := strings.CutPrefix(a, "-"+name+"="); ok {
				n, _ := strconv.Atoi(v)
				return n
			}
		}
		return 0
	}
	cpu := regexp.MustCompile(`requests:\s+cpu: "(\d+)"`).FindStringSubmatch(deploy)
	if cpu == nil || cpu[1] != strconv.Itoa(flag("workers")*flag("threads")) {
		t.Errorf("deployment.yaml: CPU request %v, want workers × threads = %d", cpu, flag("workers")*flag("threads"))
	}
	if !strings.Contains(deploy, "containerPort: 5000") || !strings.Contains(strings.Join(entry, " "), ":5000") || !strings.Contains(health[3], ":5000/healthz") {
		t.Error("the container port, -listen and the HEALTHCHECK URL disagree")
	}
	for _, probe := range []string{"path: /readyz", "path: /healthz"} {
		if !strings.Contains(deploy, probe) {
			t.Errorf("deployment.yaml: no probe %s", probe)
		}
	}
	for _, f := range []string{"deployment.yaml", "service.yaml", "hpa.yaml", "kustomization.yaml"} {
		y := read("deploy/kubernetes/" + f)
		if !regexp.MustCompile(`(?m)^apiVersion: \S+$`).MatchString(y) || !regexp.MustCompile(`(?m)^kind: \S+$`).MatchString(y) {
			t.Errorf("%s: no apiVersion or kind", f)
		}
	}
}
