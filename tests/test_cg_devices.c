/* The cgroup v2 device filter: the exact instruction sequence generated for allow/deny rules,
 * access subsets and wildcards, and its behaviour, run through a small interpreter of the BPF
 * subset it uses (loading and attaching need a real cgroup2: tested in the VM). */
#include <linux/bpf.h>

#include "cgroups/cg_internal.h"
#include "test_cg_util.h"

#define R(a, t, maj, min, acc) {.allow = (a), .type = (t), .major = (maj), .minor = (min), .access = acc}

static const struct bpf_insn prologue[] = {
	{.code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 2, .src_reg = 1, .off = 0},
	{.code = BPF_ALU | BPF_AND | BPF_K, .dst_reg = 2, .imm = 0xffff},
	{.code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 3, .src_reg = 1, .off = 0},
	{.code = BPF_ALU | BPF_RSH | BPF_K, .dst_reg = 3, .imm = 16},
	{.code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 4, .src_reg = 1, .off = 4},
	{.code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 5, .src_reg = 1, .off = 8},
};

static struct bpf_insn
I(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
	struct bpf_insn i = {.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm};
	return i;
}

static void
build(const struct cg_device_rule *r, size_t n, struct bpf_insn **v, size_t *nv)
{
	struct err err = {0};

	if (cg__dev_prog_build(r, n, v, nv, &err) < 0)
		fail_msg("build: %s", err.msg);
}

static void
assert_insns(const struct bpf_insn *got, size_t n_got, const struct bpf_insn *want, size_t n)
{
	if (n_got != n)
		fail_msg("%zu instructions, want %zu", n_got, n);
	for (size_t i = 0; i < n; i++)
		if (got[i].code != want[i].code || got[i].dst_reg != want[i].dst_reg ||
		    got[i].src_reg != want[i].src_reg || got[i].off != want[i].off ||
		    got[i].imm != want[i].imm)
			fail_msg("insn %zu: code %#x dst %u src %u off %d imm %d; want %#x %u %u %d %d",
				 i, got[i].code, got[i].dst_reg, got[i].src_reg, got[i].off,
				 got[i].imm, want[i].code, want[i].dst_reg, want[i].src_reg,
				 want[i].off, want[i].imm);
}

/* Runs the program the way the kernel would for one access. Returns 0 (deny) or 1 (allow);
 * fails the test on anything outside the subset or a jump out of the program. */
static int
run(const struct bpf_insn *v, size_t n, char type, uint32_t major, uint32_t minor, unsigned acc)
{
	uint32_t ctx[3] = {(acc << 16) | (type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR),
			   major, minor};
	uint64_t reg[11] = {0};
	size_t pc = 0, steps = 0;

	while (pc < n && steps++ < 10000) {
		const struct bpf_insn *i = &v[pc++];
		uint64_t k = (uint64_t)(int64_t)i->imm;

		switch (i->code) {
		case BPF_LDX | BPF_MEM | BPF_W:
			assert_int_equal(i->src_reg, 1);
			assert_true(i->off >= 0 && i->off <= 8 && i->off % 4 == 0);
			reg[i->dst_reg] = ctx[i->off / 4];
			break;
		case BPF_ALU | BPF_AND | BPF_K:
			reg[i->dst_reg] = (uint32_t)(reg[i->dst_reg] & (uint32_t)i->imm);
			break;
		case BPF_ALU | BPF_RSH | BPF_K:
			reg[i->dst_reg] = (uint32_t)reg[i->dst_reg] >> i->imm;
			break;
		case BPF_ALU | BPF_MOV | BPF_X:
			reg[i->dst_reg] = (uint32_t)reg[i->src_reg];
			break;
		case BPF_ALU64 | BPF_MOV | BPF_K:
			reg[i->dst_reg] = k;
			break;
		case BPF_JMP | BPF_JNE | BPF_K:
			if (reg[i->dst_reg] != k)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JNE | BPF_X:
			if (reg[i->dst_reg] != reg[i->src_reg])
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			if (reg[i->dst_reg] == k)
				pc += (size_t)i->off;
			break;
		case BPF_JMP | BPF_EXIT:
			return (int)reg[0];
		default:
			fail_msg("unexpected opcode %#x at %zu", i->code, pc - 1);
		}
		assert_true(pc <= n);
	}
	fail_msg("fell off the program (pc %zu of %zu)", pc, n);
	return -1;
}

#define RD BPF_DEVCG_ACC_READ
#define WR BPF_DEVCG_ACC_WRITE
#define MK BPF_DEVCG_ACC_MKNOD

static void
exact_one_allow_rule(void **state)
{
	struct cg_device_rule r[] = {R(true, 'c', 1, 3, "rwm")};
	struct bpf_insn want[13], *v = NULL;
	size_t nv = 0, k = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(prologue); i++)
		want[k++] = prologue[i];
	want[k++] = I(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 4, BPF_DEVCG_DEV_CHAR);
	want[k++] = I(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 3, 1);
	want[k++] = I(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 2, 3);
	want[k++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
	want[k++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	want[k++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0); /* default: deny */
	want[k++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	build(r, 1, &v, &nv);
	assert_insns(v, nv, want, k);
	free(v);
}

static void
exact_access_subsets_and_wildcards(void **state)
{
	/* evaluated last-first: the deny block comes first in the program */
	struct cg_device_rule r[] = {R(true, 'b', 8, -1, "r"), R(false, 'c', -1, 5, "w")};
	struct bpf_insn want[32], *v = NULL;
	size_t nv = 0, k = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(prologue); i++)
		want[k++] = prologue[i];
	/* deny c *:5 w: type, any requested bit in "w", minor */
	want[k++] = I(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 6, BPF_DEVCG_DEV_CHAR);
	want[k++] = I(BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0);
	want[k++] = I(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, WR);
	want[k++] = I(BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 3, 0);
	want[k++] = I(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 2, 5);
	want[k++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	want[k++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	/* allow b 8:* r: type, every requested bit in "r", major */
	want[k++] = I(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 6, BPF_DEVCG_DEV_BLOCK);
	want[k++] = I(BPF_ALU | BPF_MOV | BPF_X, 1, 3, 0, 0);
	want[k++] = I(BPF_ALU | BPF_AND | BPF_K, 1, 0, 0, RD);
	want[k++] = I(BPF_JMP | BPF_JNE | BPF_X, 1, 3, 3, 0);
	want[k++] = I(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 2, 8);
	want[k++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 1);
	want[k++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	want[k++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	want[k++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	build(r, 2, &v, &nv);
	assert_insns(v, nv, want, k);
	free(v);
}

static void
exact_catch_all_ends_program(void **state)
{
	/* "a *:* rwm" as the last rule matches everything: nothing after it, nothing before it
	 * can be reached, no default */
	struct cg_device_rule r[] = {R(true, 'c', 1, 3, "rwm"), R(false, 'a', -1, -1, "")};
	struct bpf_insn want[8], *v = NULL;
	size_t nv = 0, k = 0;
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(prologue); i++)
		want[k++] = prologue[i];
	want[k++] = I(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0);
	want[k++] = I(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	build(r, 2, &v, &nv);
	assert_insns(v, nv, want, k);
	free(v);
	/* no rules at all: deny everything */
	build(NULL, 0, &v, &nv);
	assert_insns(v, nv, want, k);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD), 0);
	free(v);
}

static void
container_defaults_behave(void **state)
{
	/* what runc/containerd hand over: deny all, then the default device allows */
	struct cg_device_rule r[] = {
		R(false, 'a', -1, -1, "rwm"), R(true, 'c', -1, -1, "m"),   R(true, 'b', -1, -1, "m"),
		R(true, 'c', 1, 3, "rwm"),    R(true, 'c', 1, 5, "rwm"),   R(true, 'c', 1, 7, "rwm"),
		R(true, 'c', 5, 0, "rwm"),    R(true, 'c', 5, 1, "rwm"),   R(true, 'c', 1, 8, "rwm"),
		R(true, 'c', 1, 9, "rwm"),    R(true, 'c', 5, 2, "rwm"),   R(true, 'c', 136, -1, "rwm"),
		R(true, 'c', 10, 200, "rwm"),
	};
	struct bpf_insn *v = NULL;
	size_t nv = 0;
	(void)state;

	build(r, ARRAY_SIZE(r), &v, &nv);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD | WR), 1);	    /* /dev/null */
	assert_int_equal(run(v, nv, 'c', 136, 4, RD | WR), 1);	    /* /dev/pts/4 */
	assert_int_equal(run(v, nv, 'c', 10, 200, RD | WR), 1);    /* /dev/net/tun */
	assert_int_equal(run(v, nv, 'c', 4, 1, RD), 0);		    /* /dev/tty1 */
	assert_int_equal(run(v, nv, 'c', 4, 1, MK), 1);		    /* mknod any char */
	assert_int_equal(run(v, nv, 'b', 8, 0, MK), 1);		    /* mknod any block */
	assert_int_equal(run(v, nv, 'b', 8, 0, RD), 0);		    /* but not read a disk */
	assert_int_equal(run(v, nv, 'b', 1, 3, RD), 0);		    /* type matters */
	assert_int_equal(run(v, nv, 'c', 10, 201, RD), 0);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD | WR | MK), 1);
	free(v);
}

static void
last_rule_wins(void **state)
{
	struct cg_device_rule allow_then_deny[] = {R(true, 'c', 1, 3, ""), R(false, 'c', 1, 3, "")};
	struct cg_device_rule deny_then_allow[] = {R(false, 'a', -1, -1, ""), R(true, 'c', 1, 3, "")};
	struct cg_device_rule allow_all_but[] = {R(true, 'a', -1, -1, ""),
						 R(false, 'c', 5, -1, "rwm")};
	struct bpf_insn *v = NULL;
	size_t nv = 0;
	(void)state;

	build(allow_then_deny, 2, &v, &nv);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD), 0);
	free(v);
	build(deny_then_allow, 2, &v, &nv);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD), 1);
	assert_int_equal(run(v, nv, 'c', 1, 4, RD), 0);
	free(v);
	build(allow_all_but, 2, &v, &nv);
	assert_int_equal(run(v, nv, 'c', 5, 1, WR), 0);
	assert_int_equal(run(v, nv, 'c', 6, 1, WR), 1);
	assert_int_equal(run(v, nv, 'b', 5, 1, WR), 1);
	free(v);
}

static void
partial_access(void **state)
{
	struct cg_device_rule r[] = {R(true, 'c', 1, 3, "rwm"), R(false, 'c', 1, 3, "w")};
	struct cg_device_rule ro[] = {R(true, 'c', 1, 3, "r")};
	struct bpf_insn *v = NULL;
	size_t nv = 0;
	(void)state;

	build(r, 2, &v, &nv);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD), 1);
	assert_int_equal(run(v, nv, 'c', 1, 3, WR), 0);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD | WR), 0); /* any denied bit denies */
	assert_int_equal(run(v, nv, 'c', 1, 3, MK), 1);
	free(v);
	build(ro, 1, &v, &nv);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD), 1);
	assert_int_equal(run(v, nv, 'c', 1, 3, RD | WR), 0); /* every bit must be allowed */
	free(v);
}

static void
bad_rules(void **state)
{
	struct cg_device_rule r[] = {R(true, 'c', 1, 3, "rwm")};
	struct bpf_insn *v = NULL;
	struct err err = {0};
	size_t nv = 0;
	(void)state;

	r[0].type = 'x';
	assert_int_equal(cg__dev_prog_build(r, 1, &v, &nv, &err), -1);
	assert_int_equal(err.code, EINVAL);
	assert_non_null(strstr(err.msg, "devices[0]: bad type 'x'"));
	r[0].type = 'c';
	memcpy(r[0].access, "rx", 3);
	assert_int_equal(cg__dev_prog_build(r, 1, &v, &nv, &err), -1);
	assert_non_null(strstr(err.msg, "bad access \"rx\""));
	memcpy(r[0].access, "r", 2);
	r[0].major = (int64_t)INT32_MAX + 1;
	assert_int_equal(cg__dev_prog_build(r, 1, &v, &nv, &err), -1);
	assert_non_null(strstr(err.msg, "out of range"));
	assert_null(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exact_one_allow_rule),
		cmocka_unit_test(exact_access_subsets_and_wildcards),
		cmocka_unit_test(exact_catch_all_ends_program),
		cmocka_unit_test(container_defaults_behave),
		cmocka_unit_test(last_rule_wins),
		cmocka_unit_test(partial_access),
		cmocka_unit_test(bad_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
