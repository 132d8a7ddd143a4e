/* The CPU's name and the cache sizes one core sees, read once.
 *
 * x86: the deterministic cache parameters of cpuid, leaf 4 (Intel) or
 * 0x8000001D (AMD, when leaf 0x80000001 reports the topology extensions);
 * both describe one cache per subleaf in the same format:
 *   eax[4:0] type (0 none left, 1 data, 2 instruction, 3 unified), eax[7:5] level
 *   ebx[11:0] line - 1, ebx[21:12] partitions - 1, ebx[31:22] ways - 1, ecx sets - 1
 *   size = ways * partitions * line * sets
 * and the brand string of leaves 0x80000002..4. Elsewhere, or where cpuid
 * gives nothing, the C library's sysconf (glibc reads the same leaves on
 * x86 and the kernel's cache description on ARM); what stays unknown takes
 * a conservative default (32 KB L1, 256 KB L2, no L3) so that blocking
 * derived from it still fits.
 *
 * L1 and L2 are per core on current x86 and ARM cores (shared only by a
 * core's SMT siblings), so their sizes are used as they are. */
#include "core/cpu.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_L1D ((int64_t)32 * 1024)
#define DEFAULT_L2 ((int64_t)256 * 1024)

static nnl_cpu_caches caches;
static char model[64];
static pthread_once_t once = PTHREAD_ONCE_INIT;

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

#define LEAF_AMD_EXT_FEATURES 0x80000001u
#define AMD_TOPOLOGY_EXTENSIONS (1u << 22) /* ecx: leaf 0x8000001D exists */
#define LEAF_AMD_CACHES 0x8000001Du
#define LEAF_INTEL_CACHES 4u
#define CACHE_DATA 1u
#define CACHE_UNIFIED 3u

/* The leaf that lists the caches on this CPU, 0 when none does. */
static unsigned cache_leaf(void)
{
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx))
        return 0;
    unsigned max_basic = eax;
    int amd = ebx == 0x68747541u; /* "Auth" of "AuthenticAMD" */
    if (amd && __get_cpuid(LEAF_AMD_EXT_FEATURES, &eax, &ebx, &ecx, &edx) && (ecx & AMD_TOPOLOGY_EXTENSIONS))
        return LEAF_AMD_CACHES;
    return !amd && max_basic >= LEAF_INTEL_CACHES ? LEAF_INTEL_CACHES : 0;
}

static void read_cpuid_caches(void)
{
    unsigned leaf = cache_leaf();
    for (unsigned sub = 0; leaf && sub < 16; sub++) {
        unsigned eax, ebx, ecx, edx;
        __cpuid_count(leaf, sub, eax, ebx, ecx, edx);
        unsigned type = eax & 0x1fu, level = (eax >> 5) & 0x7u;
        if (type == 0)
            break;
        if (type != CACHE_DATA && type != CACHE_UNIFIED)
            continue;
        int64_t size = (int64_t)((ebx >> 22) + 1) * (((ebx >> 12) & 0x3ffu) + 1) * ((ebx & 0xfffu) + 1) *
                       ((int64_t)ecx + 1);
        if (level == 1)
            caches.l1d = size;
        else if (level == 2)
            caches.l2 = size;
        else if (level == 3)
            caches.l3 = size;
    }
}

static void read_brand(void)
{
    unsigned regs[12];
    if (!__get_cpuid(0x80000000u, &regs[0], &regs[1], &regs[2], &regs[3]) || regs[0] < 0x80000004u)
        return;
    for (unsigned i = 0; i < 3; i++)
        __cpuid(0x80000002u + i, regs[4 * i], regs[4 * i + 1], regs[4 * i + 2], regs[4 * i + 3]);
    char raw[49];
    memcpy(raw, regs, 48);
    raw[48] = '\0';
    const char *start = raw;
    while (*start == ' ')
        start++;
    strncpy(model, start, sizeof model - 1);
    for (size_t n = strlen(model); n > 0 && model[n - 1] == ' '; n--)
        model[n - 1] = '\0';
}
#else
static void read_cpuid_caches(void) {}
static void read_brand(void) {}
#endif

/* sysconf for a size cpuid did not give (0 or -1 where the C library does not know). */
static void fill_from_sysconf(int64_t *size, int name)
{
    long value = *size > 0 ? 0 : sysconf(name);
    if (value > 0)
        *size = value;
}

static void detect(void)
{
    read_cpuid_caches();
    read_brand();
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE) && defined(_SC_LEVEL3_CACHE_SIZE)
    fill_from_sysconf(&caches.l1d, _SC_LEVEL1_DCACHE_SIZE);
    fill_from_sysconf(&caches.l2, _SC_LEVEL2_CACHE_SIZE);
    fill_from_sysconf(&caches.l3, _SC_LEVEL3_CACHE_SIZE);
#endif
    if (caches.l1d <= 0)
        caches.l1d = DEFAULT_L1D;
    if (caches.l2 <= 0)
        caches.l2 = DEFAULT_L2;
    if (caches.l3 < 0)
        caches.l3 = 0;
}

const nnl_cpu_caches *nnl_cpu_caches_get(void)
{
    pthread_once(&once, detect);
    return &caches;
}

const char *nnl_cpu_model(void)
{
    pthread_once(&once, detect);
    return model;
}
