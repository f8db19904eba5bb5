package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// llvmTool finds an LLVM 19 tool: NAME-19 on PATH, /usr/lib/llvm-19/bin,
// then NAME on PATH.
func llvmTool(name string) (string, error) {
	if p, err := exec.LookPath(name + "-19"); err == nil {
		return p, nil
	}
	if p := "/usr/lib/llvm-19/bin/" + name; fileExists(p) {
		return p, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%s not found (install llvm-19: apt-get install llvm-19)", name)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// insn is one disassembled instruction.
type insn struct {
	addr uint64
	text string // LLVM syntax, operands included
}

var (
	objdumpLine = regexp.MustCompile(`^\s*([0-9a-f]+):\s+(.*)$`)
	branchAddr  = regexp.MustCompile(`^(b(?:\.\w+)?|cbn?z|tbn?z)\s+(?:([wx]\d+),\s*)?(?:(#\w+),\s*)?0x([0-9a-f]+)`)
)

// disassemble returns the instructions of symbol sym in the binary.
func disassemble(objdump, binary, sym string) ([]insn, error) {
	out, err := exec.Command(objdump, "-d", "--no-show-raw-insn", "--disassemble-symbols="+sym, binary).Output()
	if err != nil {
		return nil, fmt.Errorf("llvm-objdump %s: %w", sym, err)
	}
	var is []insn
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		m := objdumpLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		a, _ := strconv.ParseUint(m[1], 16, 64)
		t := strings.TrimSpace(m[2])
		if i := strings.Index(t, " <"); i >= 0 { // "<sym+off>" annotations
			t = t[:i]
		}
		t = strings.Join(strings.Fields(t), " ")
		is = append(is, insn{a, t})
	}
	if len(is) == 0 {
		return nil, fmt.Errorf("symbol %s not found in %s", sym, binary)
	}
	return is, nil
}

// loopBody returns the instructions of the ordinal-th backward branch's
// loop (in address order): from its target through the branch, as
// llvm-mca input with every branch target replaced by a label.
func loopBody(is []insn, ordinal int) (string, int, error) {
	n := 0
	for i, in := range is {
		m := branchAddr.FindStringSubmatch(in.text)
		if m == nil {
			continue
		}
		target, _ := strconv.ParseUint(m[4], 16, 64)
		if target > in.addr {
			continue
		}
		if n < ordinal {
			n++
			continue
		}
		start := -1
		for j := range is[:i+1] {
			if is[j].addr == target {
				start = j
			}
		}
		if start < 0 {
			return "", 0, fmt.Errorf("loop target %#x not an instruction", target)
		}
		var b strings.Builder
		b.WriteString(".Lloop:\n")
		for _, x := range is[start : i+1] {
			t := x.text
			if bm := branchAddr.FindStringSubmatch(t); bm != nil {
				lbl := ".Lout"
				if tg, _ := strconv.ParseUint(bm[4], 16, 64); tg == target {
					lbl = ".Lloop"
				}
				ops := []string{}
				if bm[2] != "" {
					ops = append(ops, bm[2])
				}
				if bm[3] != "" {
					ops = append(ops, bm[3])
				}
				ops = append(ops, lbl)
				t = bm[1] + " " + strings.Join(ops, ", ")
			}
			b.WriteString("\t" + t + "\n")
		}
		b.WriteString(".Lout:\n")
		return b.String(), i + 1 - start, nil
	}
	return "", 0, fmt.Errorf("no backward branch #%d", ordinal)
}

// mcaCycles runs llvm-mca on body for cpu and returns cycles per
// iteration of the loop (steady state over many iterations).
func mcaCycles(mca, dir, name, cpu, body string) (float64, error) {
	src := filepath.Join(dir, name+".s")
	if err := os.WriteFile(src, []byte(body), 0o644); err != nil {
		return 0, err
	}
	const iters = 400
	out, err := exec.Command(mca, "-mtriple=aarch64", "-mcpu="+cpu, "-iterations="+strconv.Itoa(iters), src).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("llvm-mca %s -mcpu=%s: %v\n%s", name, cpu, err, out)
	}
	m := regexp.MustCompile(`Total Cycles:\s+(\d+)`).FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("llvm-mca %s: no Total Cycles in output", name)
	}
	total, _ := strconv.ParseFloat(string(m[1]), 64)
	return total / iters, nil
}

var wordLine = regexp.MustCompile(`WORD \$0x([0-9a-fA-F]{8})\s*//\s*(.+)$`)

// checkWords verifies every "WORD $0x... // insn" line of the arm64
// assembly in dir: llvm-mc must decode the word to the instruction the
// comment names. It returns the number checked.
func checkWords(mc, dir string) (int, error) {
	files, _ := filepath.Glob(filepath.Join(dir, "*_arm64.s"))
	type word struct {
		enc  uint32
		want string
		at   string
	}
	var ws []word
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return 0, err
		}
		for ln, line := range strings.Split(string(data), "\n") {
			m := wordLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			enc, _ := strconv.ParseUint(m[1], 16, 32)
			ws = append(ws, word{uint32(enc), m[2], fmt.Sprintf("%s:%d", filepath.Base(f), ln+1)})
		}
	}
	var in strings.Builder
	for _, w := range ws {
		fmt.Fprintf(&in, "0x%02x 0x%02x 0x%02x 0x%02x\n", w.enc&0xff, w.enc>>8&0xff, w.enc>>16&0xff, w.enc>>24)
	}
	cmd := exec.Command(mc, "--disassemble", "-triple=aarch64", "-mattr=+neon")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("llvm-mc: %v\n%s", err, out)
	}
	var got []string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, ".") {
			continue
		}
		got = append(got, l)
	}
	if len(got) != len(ws) {
		return 0, fmt.Errorf("llvm-mc decoded %d of %d words:\n%s", len(got), len(ws), out)
	}
	for i, w := range ws {
		if norm(got[i]) != norm(w.want) {
			return 0, fmt.Errorf("%s: WORD $0x%08x decodes as %q, the comment says %q", w.at, w.enc, got[i], w.want)
		}
	}
	return len(ws), nil
}

// norm canonicalises an instruction's text: whitespace, and "#0.0" vs
// "#0" spellings of a zero immediate.
func norm(s string) string {
	s = strings.Join(strings.Fields(strings.ToLower(s)), " ")
	return strings.ReplaceAll(s, "#0.0", "#0")
}

// goRefBody is a Go reference's loop as llvm-mca input (see goRef).
func goRefBody(objdump, binary string, g goRef, loop int) (string, int, error) {
	const pkg = "github.com/darkgo/darkgo/kernels."
	is, err := disassemble(objdump, binary, pkg+g.sym)
	if err != nil {
		return "", 0, err
	}
	body, count, err := loopBody(is, loop)
	if err != nil || g.callee == "" {
		return body, count, err
	}
	callee, err := disassemble(objdump, binary, pkg+g.callee)
	if err != nil {
		return "", 0, err
	}
	var inl strings.Builder
	n := 0
	for _, in := range callee {
		if in.text != "ret" {
			inl.WriteString("\t" + in.text + "\n")
			n++
		}
	}
	lines := strings.SplitAfter(body, "\n")
	calls := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "\tbl ") {
			lines[i] = inl.String()
			count += n - 1
			calls++
		}
	}
	if calls == 0 {
		return "", 0, fmt.Errorf("%s: no call to inline in its loop", g.sym)
	}
	return strings.Join(lines, ""), count, nil
}

// straightBody is a function without a loop as llvm-mca input: all its
// instructions but the return, repeated by llvm-mca as back-to-back calls.
func straightBody(is []insn) (string, int) {
	var b strings.Builder
	b.WriteString(".Lloop:\n")
	n := 0
	for _, in := range is {
		if in.text == "ret" {
			continue
		}
		b.WriteString("\t" + in.text + "\n")
		n++
	}
	return b.String(), n
}
