// The start-up workloads' guest (wasi-sysv bench: startup, rss): a WASI
// command that prints one line and ends, so that its run is all start-up.
console.log("hello");
