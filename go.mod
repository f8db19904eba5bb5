module github.com/darkgo/darkgo

go 1.26.0

require (
	github.com/klauspost/cpuid/v2 v2.4.2
	golang.org/x/image v0.48.0
	golang.org/x/sys v0.50.0
	gopkg.in/ini.v1 v1.68.0
)
