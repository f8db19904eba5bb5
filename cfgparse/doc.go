// Package cfgparse reads Darknet network description files (.cfg).
//
// A cfg is a sequence of sections, "[net]" first and then one section per
// layer, each holding key=value options:
//
//	[net]
//	width=416
//	height=416
//	channels=3
//
//	[convolutional]
//	filters=16
//	size=3
//	activation=leaky
//
// Parse follows Darknet's own reader (AlexeyAB darknet src/parser.c
// read_cfg, src/option_list.c, src/utils.c strip) rather than generic INI
// rules:
//
//   - all spaces, tabs, CRs and LFs are removed from every line, anywhere in
//     the line ("fil ters = 1 6" is filters=16);
//   - lines starting with '#' or ';' are comments; '#' later in a line is
//     data, but the numeric getters ignore an inline "#comment" after the
//     number, as Darknet's atoi/atof and list parsers do;
//   - section headers are matched exactly and case-sensitively against the
//     names Darknet knows; aliases ([conv], [max], [avg], [soft], [lrn],
//     [conn], [local_avg], [network], [silence]) resolve to one canonical
//     Section.Type;
//   - a key repeated within a section keeps its FIRST value (Darknet's
//     option_find scans from the front) and produces a warning;
//   - lines without '=' or with an empty value are skipped with a warning,
//     as Darknet skips them.
//
// Darkgo is stricter than Darknet where Darknet would silently misread:
// unknown section names, text before the first section, a [net] section that
// is not first, recurrent layers (which wrap ErrUnsupported) and malformed
// numbers are errors, each naming the file, line, section ("[route] #57")
// and key.
//
// The structural parse is done by gopkg.in/ini.v1 with options that keep
// repeated sections separate and values byte-exact; a light scan of the raw
// text supplies the line numbers ini.v1 does not keep.
//
// Getters mark keys as used, so after building a network from a Config,
// Config.Warnings lists every field the builder never looked at, the same
// check as Darknet's option_unused.
//
// # Security considerations
//
// Parse accepts untrusted input: files over MaxFileSize (16 MiB) are
// rejected, nothing is allocated in proportion to numeric values, and no
// input makes it panic (the package is fuzzed). Numeric option values are
// not range-checked here; the consumer must bound sizes before allocating.
package cfgparse
