package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// parseShard reads -shard I/N: this process takes inputs I, I+N, I+2N...
// (0 <= I < N) of the expanded input list.
func parseShard(s string) (i, n int, err error) {
	is, ns, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(is)
		if err == nil {
			n, err = strconv.Atoi(ns)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, usagef("-shard %q: want I/N with 0 <= I < N, e.g. 0/4 for the first of four shards", s)
	}
	return i, n, nil
}

// shardInputs keeps every n-th input starting at i. The list is the
// expanded one (directories sorted, globs sorted), so every shard of a run
// over the same files sees the same order and the shards split it exactly.
func shardInputs(inputs []input, i, n int) []input {
	if n <= 1 {
		return inputs
	}
	var out []input
	for k := i; k < len(inputs); k += n {
		out = append(out, inputs[k])
	}
	return out
}

// openResume opens the -resume JSONL file for appending and returns the
// inputs it does not record yet. An input counts as done when a line has
// its file name and no error (failed inputs are tried again). A last line
// cut short by a crash is removed, so the file stays valid JSON Lines and
// that input is done again.
func openResume(path string, inputs []input) (*os.File, []input, int, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, 0, err
	}
	done, keep, err := readDone(f, path)
	if err == nil {
		err = f.Truncate(keep)
	}
	if err == nil {
		_, err = f.Seek(keep, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, nil, 0, err
	}
	var todo []input
	for _, in := range inputs {
		if in.err == nil && done[in.path] {
			continue
		}
		todo = append(todo, in)
	}
	return f, todo, len(inputs) - len(todo), nil
}

// readDone reads the records of a -resume file: the files done, and the
// length of the file up to its last complete line.
func readDone(r io.Reader, path string) (map[string]bool, int64, error) {
	done := map[string]bool{}
	br := bufio.NewReader(r)
	var keep int64
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			// b is a last line without its newline: a write cut short.
			return done, keep, nil
		}
		if err != nil {
			return nil, 0, err
		}
		keep += int64(len(b))
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var rec struct {
			File  *string `json:"file"`
			Error string  `json:"error"`
		}
		if err := json.Unmarshal(b, &rec); err != nil || rec.File == nil {
			return nil, 0, fmt.Errorf("%s:%d: not a detect -jsonl record; refusing to append to it: %w", path, line, errOr(err, "no \"file\""))
		}
		if rec.Error == "" {
			done[*rec.File] = true
		}
	}
}

func errOr(err error, msg string) error {
	if err != nil {
		return err
	}
	return errors.New(msg)
}
