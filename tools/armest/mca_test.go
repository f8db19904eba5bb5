package main

import (
	"strings"
	"testing"
)

// TestLoopBody: the loop is cut from the chosen backward branch's target
// through the branch; branches to the loop head become .Lloop, others
// .Lout, and llvm-objdump's address and symbol annotations go.
func TestLoopBody(t *testing.T) {
	is := []insn{
		{0x100, "mov x0, x1"},
		{0x104, "ld1 { v0.4s }, [x0], #16"}, // inner loop head
		{0x108, "cbz x2, 0x118"},            // forward: .Lout
		{0x10c, "fadd v0.4s, v0.4s, v1.4s"}, //
		{0x110, "b.ge 0x104"},               // backward #0
		{0x114, "tbz w3, #1, 0x100"},        // backward #1
		{0x118, "ret"},
	}
	body, n, err := loopBody(is, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := ".Lloop:\n\tld1 { v0.4s }, [x0], #16\n\tcbz x2, .Lout\n\tfadd v0.4s, v0.4s, v1.4s\n\tb.ge .Lloop\n.Lout:\n"
	if body != want || n != 4 {
		t.Fatalf("loop 0: %d insns\n%s\nwant 4\n%s", n, body, want)
	}
	body, n, err = loopBody(is, 1)
	if err != nil || n != 6 || !strings.HasSuffix(body, "\ttbz w3, #1, .Lloop\n.Lout:\n") ||
		!strings.Contains(body, "b.ge .Lout") {
		t.Fatalf("loop 1: %d insns, %v\n%s", n, err, body)
	}
	if _, _, err := loopBody(is, 2); err == nil {
		t.Fatal("a third backward branch was found")
	}
}

func TestNorm(t *testing.T) {
	if norm("fcmgt  v1.4s, v2.4s, #0.0") != norm("FCMGT v1.4s, v2.4s, #0") {
		t.Fatal("zero immediates or spacing not canonicalised")
	}
	if norm("fadd v1.4s, v2.4s, v3.4s") == norm("fadd v1.4s, v3.4s, v2.4s") {
		t.Fatal("operand order lost")
	}
}
