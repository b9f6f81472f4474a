/* The floor of any run timed by scripts/bench.sh: a static program without libc whose
 * only system call is exit(0). Built with cc -O2 -static -nostdlib (x86_64). */
void _start(void) { __asm__ volatile("mov $60, %eax\n xor %edi, %edi\n syscall"); }
