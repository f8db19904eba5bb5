package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// smallFaces writes k 480x320 copies of sample1.jpg (subsampled, so each
// run is quick) into a new directory and returns their paths, sorted.
func smallFaces(t *testing.T, k int) (dir string, paths []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(faceDir(t), "sample1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := jpeg.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	small := image.NewRGBA(image.Rect(0, 0, 480, 320))
	for y := range 320 {
		for x := range 480 {
			small.Set(x, y, src.At(x*4, y*4))
		}
	}
	dir = t.TempDir()
	for i := range k {
		p := filepath.Join(dir, fmt.Sprintf("img%02d.jpg", i))
		out, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := jpeg.Encode(out, small, nil); err != nil {
			t.Fatal(err)
		}
		out.Close()
		paths = append(paths, p)
	}
	return dir, paths
}

// jsonlRecords parses JSON Lines into file -> line (failing on a bad line).
func jsonlRecords(t *testing.T, data string) (files []string, lines map[string]string) {
	t.Helper()
	lines = map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		var rec struct {
			File string `json:"file"`
		}
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		files = append(files, rec.File)
		lines[rec.File] = sc.Text()
	}
	return files, lines
}

// withoutTimes drops time_ms, which differs from run to run.
func withoutTimes(line string) string {
	if i := strings.Index(line, `,"time_ms"`); i >= 0 {
		return line[:i]
	}
	return line
}

func TestShard(t *testing.T) {
	dir, paths := smallFaces(t, 5)
	code, all, errs := runCmd("-jsonl", "-threads", "1", dir)
	if code != 0 {
		t.Fatalf("whole run: exit %d: %s", code, errs)
	}
	allFiles, allLines := jsonlRecords(t, all)
	if !slices.Equal(allFiles, paths) {
		t.Fatalf("whole run: files %v", allFiles)
	}
	var union []string
	for i := range 3 {
		code, out, errs := runCmd("-jsonl", "-threads", "1", "-shard", fmt.Sprintf("%d/3", i), dir)
		if code != 0 {
			t.Fatalf("shard %d/3: exit %d: %s", i, code, errs)
		}
		files, lines := jsonlRecords(t, out)
		for k, f := range files {
			if f != paths[i+3*k] {
				t.Errorf("shard %d/3: input %d is %s, want %s", i, k, f, paths[i+3*k])
			}
			if withoutTimes(lines[f]) != withoutTimes(allLines[f]) {
				t.Errorf("shard %d/3: %s differs from the whole run:\n%s\n%s", i, f, lines[f], allLines[f])
			}
		}
		union = append(union, files...)
	}
	slices.Sort(union)
	if !slices.Equal(union, paths) {
		t.Errorf("the shards cover %v, want each of %v once", union, paths)
	}
}

func TestResume(t *testing.T) {
	dir, paths := smallFaces(t, 4)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	read := func() string {
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// A first run that stopped after two images.
	if code, stdout, errs := runCmd("-resume", out, "-threads", "1", paths[0], paths[1]); code != 0 || stdout != "" {
		t.Fatalf("first run: exit %d, stdout %q: %s", code, stdout, errs)
	}
	first := read()
	// The crash cut the next record short.
	os.WriteFile(out, []byte(first+`{"file":"`+paths[2]+`","width":4`), 0o644)
	missing := filepath.Join(dir, "gone.jpg")
	code, _, errs := runCmd("-resume", out, "-threads", "1", dir, missing)
	if code != 1 || !strings.Contains(errs, "2 of 5 inputs already in") || !strings.Contains(errs, "gone.jpg") {
		t.Fatalf("resumed run: exit %d (want 1: gone.jpg fails): %s", code, errs)
	}
	second := read()
	if !strings.HasPrefix(second, first) {
		t.Fatalf("the resumed run rewrote the first records:\n%s", second)
	}
	files, _ := jsonlRecords(t, second)
	if want := append(slices.Clone(paths), missing); !slices.Equal(files, want) {
		t.Errorf("records %v, want %v (each once, the cut record redone)", files, want)
	}
	// Done images are skipped; the failed one is tried again.
	code, _, errs = runCmd("-resume", out, "-threads", "1", dir, missing)
	files, _ = jsonlRecords(t, read())
	if code != 1 || !strings.Contains(errs, "4 of 5 inputs already in") || len(files) != len(paths)+2 || files[len(files)-1] != missing {
		t.Errorf("second resume: exit %d, records %v: %s", code, files, errs)
	}
}

func TestBatchUsage(t *testing.T) {
	notJSONL := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notJSONL, []byte("my notes\n"), 0o644)
	img := filepath.Join(faceDir(t), "sample1.jpg")
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-shard", "3/3", img}, 2, "0 <= I < N"},
		{[]string{"-shard", "a/b", img}, 2, "-shard"},
		{[]string{"-shard", "0/0", img}, 2, "-shard"},
		{[]string{"-shard", "-1/2", img}, 2, "-shard"},
		{[]string{"-resume", "r.jsonl", "-json", img}, 2, "-resume"},
		{[]string{"-resume", notJSONL, img}, 1, "notes.txt:1"},
	} {
		code, _, stderr := runCmd(c.args...)
		if code != c.code || !strings.Contains(stderr, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, stderr, c.code, c.msg)
		}
	}
	if b, _ := os.ReadFile(notJSONL); string(b) != "my notes\n" {
		t.Errorf("-resume changed a file that is not JSON Lines: %q", b)
	}
}
