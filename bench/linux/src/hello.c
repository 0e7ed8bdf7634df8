/* Start-up: a trivial program, so its run time is the emulator's start-up and exit. */
#include <stdio.h>

int main(void) {
    puts("hello");
    return 0;
}
