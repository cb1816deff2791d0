/* fuzz: the libFuzzer entry points every tests/fuzz/fuzz_<name>.c defines. The same file builds
 * into a libFuzzer binary (make fuzz) and into a corpus replayer with replay_main.c (make
 * test-programs), so it must not rely on libFuzzer's runtime. */
#ifndef TESTS_FUZZ_FUZZ_H
#define TESTS_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* Must return 0; anything bad must crash (abort, sanitizer report) so both drivers notice. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: defined weak in replay_main.c; called once before the first input. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
