# `make bench`: benchmarks (root; not tests). Each bench_*.sh adds its target as a prerequisite.
.PHONY: bench-cli
bench: bench-cli

# husk vs crun vs runc: /bin/true containers through each CLI (integration/bench/bench_cli.sh).
bench-cli: $(BUILD)/husk
	integration/bench/bench_cli.sh $(BUILD)

.PHONY: bench-shim
bench: bench-shim

# containerd-shim-husk-v2 vs containerd-shim-runc-v2: run and exec latency, memory, throughput.
bench-shim: all
	integration/bench/shim_bench.sh $(BUILD)
