/* Test-only stand-in for Windows 10's bcryptprimitives.dll, which Wine 8 (Debian 12/13) lacks.
 * Rust's standard library (1.78+) takes its random bytes from ProcessPrng in that DLL, so without
 * it no Rust Windows program starts under this Wine. This one answers from RtlGenRandom
 * (advapi32 SystemFunction036), which Wine has. Never shipped: mk/wine/provider.sh builds it next
 * to the provider it runs under Wine. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
