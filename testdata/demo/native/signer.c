/* libsigner: loaded by signing/native.py with ctypes. Build: see Makefile. */
#include "signer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#define SEAL_TAG_DATA 0x01
#define SEAL_TAG_KEYINFO 0x02
#define SEAL_RESERVED 16 /* room for the v2 trailer */

struct seal_header {
    unsigned char tag; /* followed by 3 padding bytes */
    unsigned int len;
};

static unsigned char g_key[64];
static size_t g_key_len;
static char g_key_id[SIGNER_KEY_ID_MAX];
static char g_err[128] = "not initialized";

static int fail(const char *msg)
{
    snprintf(g_err, sizeof g_err, "%s", msg);
    return -1;
}

int signer_init(const char *key_path)
{
    FILE *f = fopen(key_path, "rb");
    if (f == NULL)
        return fail("cannot open key file");
    g_key_len = fread(g_key, 1, sizeof g_key, f);
    fclose(f);
    if (g_key_len < 32)
        return fail("key file too short");
    unsigned char id[SHA256_DIGEST_LENGTH];
    SHA256(g_key, g_key_len, id);
    for (int i = 0; i < 8; i++)
        snprintf(g_key_id + 2 * i, sizeof g_key_id - 2 * i, "%02x", id[i]);
    g_err[0] = '\0';
    return 0;
}

const char *signer_last_error(void) { return g_err; }

void signer_free(void *p) { free(p); }

static int hmac(const EVP_MD *md, const uint8_t *data, size_t len, uint8_t *out)
{
    unsigned int n = 0;
    if (g_key_len == 0)
        return fail("not initialized");
    if (HMAC(md, g_key, (int)g_key_len, data, len, out, &n) == NULL)
        return fail("HMAC failed");
    return (int)n;
}

uint8_t *signer_sign(const uint8_t *data, size_t len)
{
    uint8_t *sig = malloc(SIGNER_SIG_LEN);
    if (sig == NULL || hmac(EVP_sha512(), data, len, sig) < 0) {
        free(sig);
        return NULL;
    }
    return sig;
}

uint8_t *signer_mac(const uint8_t *data, size_t len)
{
    uint8_t *mac = malloc(SIGNER_DIGEST_LEN);
    if (mac == NULL || hmac(EVP_sha256(), data, len, mac) < 0) {
        free(mac);
        return NULL;
    }
    return mac;
}

int signer_sign_into(const uint8_t *data, size_t len, uint8_t *out, size_t outlen)
{
    if (outlen < SIGNER_SIG_LEN)
        return fail("output buffer too small");
    return hmac(EVP_sha512(), data, len, out);
}

int signer_digest(const uint8_t *data, size_t len, uint8_t *out, size_t outlen)
{
    if (outlen < SIGNER_DIGEST_LEN)
        return fail("output buffer too small");
    SHA256(data, len, out);
    return 0;
}

int signer_fingerprint(const uint8_t *der, size_t len, uint8_t *out, size_t outlen)
{
    return signer_digest(der, len, out, outlen);
}

int signer_key_id(char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s", g_key_id);
    return (n < 0 || (size_t)n >= outlen) ? fail("key id buffer too small") : n;
}

int signer_wrap_token(const uint8_t *token, size_t len, uint8_t *out, size_t outlen)
{
    static const uint8_t label[] = "keysign-wrap-v1";
    uint8_t ks[SIGNER_SIG_LEN];
    if (outlen < len)
        return fail("output buffer too small");
    if (hmac(EVP_sha512(), label, sizeof label - 1, ks) < 0)
        return -1;
    for (size_t i = 0; i < len; i++)
        out[i] = token[i] ^ ks[i % SIGNER_SIG_LEN];
    return (int)len;
}

int signer_verify(const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen)
{
    uint8_t expect[SIGNER_SIG_LEN];
    if (siglen != SIGNER_SIG_LEN)
        return 0;
    if (hmac(EVP_sha512(), data, len, expect) < 0)
        return -1;
    return CRYPTO_memcmp(expect, sig, SIGNER_SIG_LEN) == 0;
}

int signer_pack_header(uint8_t *out, unsigned char tag, unsigned int len)
{
    struct seal_header hdr;
    hdr.tag = tag;
    hdr.len = len;
    /* BUG(cmem): hdr's 3 padding bytes after .tag are uninitialized stack, copied out to the caller */
    memcpy(out, &hdr, sizeof hdr);
    return (int)sizeof hdr;
}

int signer_pack_status(uint8_t *out, unsigned char code, unsigned int detail)
{
    struct seal_header st;
    memset(&st, 0, sizeof st);
    st.tag = code;
    st.len = detail;
    /* OK(cmem): memset cleared the padding bytes before the fields were set */
    memcpy(out, &st, sizeof st);
    return (int)sizeof st;
}

int signer_pack_error(uint8_t *out, unsigned int code)
{
    struct seal_header err = {0};
    err.tag = 0xff;
    err.len = code;
    /* OK(cmem): `= {0}` zero-initialized the whole struct, padding included */
    memcpy(out, &err, sizeof err);
    return (int)sizeof err;
}

int signer_seal(const uint8_t *data, size_t len, uint8_t *out, size_t outlen)
{
    size_t total = sizeof(struct seal_header) + len + SIGNER_SIG_LEN;
    if (outlen < total || len > 0xffffffffu)
        return fail("output buffer too small");
    size_t off = (size_t)signer_pack_header(out, SEAL_TAG_DATA, (unsigned int)len);
    memcpy(out + off, data, len);
    if (hmac(EVP_sha512(), out, off + len, out + off + len) < 0)
        return -1;
    return (int)total;
}

int signer_send_sealed(int sock, const uint8_t *data, size_t len)
{
    size_t total = sizeof(struct seal_header) + len + SIGNER_SIG_LEN + SEAL_RESERVED;
    uint8_t *msg = malloc(total);
    if (msg == NULL)
        return fail("out of memory");
    int n = signer_seal(data, len, msg, total);
    if (n < 0) {
        free(msg);
        return -1;
    }
    /* BUG(cmem): malloc'd block; the SEAL_RESERVED tail is never written but all `total` bytes are sent */
    ssize_t sent = send(sock, msg, total, 0);
    free(msg);
    return sent == (ssize_t)total ? 0 : fail("short send");
}

int signer_send_key_info(int sock)
{
    size_t total = sizeof(struct seal_header) + SIGNER_KEY_ID_MAX + SEAL_RESERVED;
    uint8_t *msg = calloc(1, total);
    if (msg == NULL)
        return fail("out of memory");
    size_t off = (size_t)signer_pack_status(msg, SEAL_TAG_KEYINFO, (unsigned int)strlen(g_key_id));
    memcpy(msg + off, g_key_id, strlen(g_key_id));
    /* OK(cmem): calloc zeroed the block, so the unwritten key-id slack and reserved tail are zeros */
    ssize_t sent = send(sock, msg, total, 0);
    free(msg);
    return sent == (ssize_t)total ? 0 : fail("short send");
}

int signer_audit(int fd, const char *name)
{
    char buf[256];
    strcpy(buf, name);
    /* BUG(cmem): strcpy filled strlen(name)+1 bytes, but all 256 bytes of buf are written to the log */
    return write(fd, buf, sizeof buf) < 0 ? fail("audit write failed") : 0;
}

int signer_audit_line(int fd, const char *name)
{
    char buf[256];
    snprintf(buf, sizeof buf, "sign key=%s caller=%s\n", g_key_id, name);
    /* OK(cmem): only the strlen(buf) bytes snprintf produced are written */
    return write(fd, buf, strlen(buf)) < 0 ? fail("audit write failed") : 0;
}

int signer_audit_record(int fd, const char *name)
{
    char buf[256];
    memset(buf, 0, sizeof buf);
    strncpy(buf, name, sizeof buf - 1);
    /* OK(cmem): fixed-size record, but memset cleared all 256 bytes first */
    return write(fd, buf, sizeof buf) < 0 ? fail("audit write failed") : 0;
}

struct signer_receipt {
    uint32_t version;
    uint8_t flags; /* followed by 3 padding bytes */
    uint64_t issued;
    char key_id[16];
    uint8_t reserved[8]; /* room for the 2.x counter */
};

int signer_receipt(uint8_t *out, size_t outlen, uint64_t issued)
{
    struct signer_receipt r;
    if (outlen < sizeof r)
        return fail("output buffer too small");
    r.version = 1;
    r.flags = 0;
    r.issued = issued;
    memcpy(r.key_id, g_key_id, sizeof r.key_id);
    /* BUG(cmem): r's padding and .reserved are uninitialized stack, copied out to the caller */
    memcpy(out, &r, sizeof r);
    return (int)sizeof r;
}

int signer_receipt_v2(uint8_t *out, size_t outlen, uint64_t issued)
{
    struct signer_receipt r;
    if (outlen < sizeof r)
        return fail("output buffer too small");
    /* OK(cmem): cleared first, padding and .reserved included */
    memset(&r, 0, sizeof r);
    r.version = 2;
    r.issued = issued;
    memcpy(r.key_id, g_key_id, sizeof r.key_id);
    memcpy(out, &r, sizeof r);
    return (int)sizeof r;
}

uint8_t *signer_nonce(uint64_t counter)
{
    uint8_t *n = malloc(SIGNER_NONCE_LEN);
    if (n == NULL)
        return NULL;
    memcpy(n, &counter, sizeof counter);
    /* BUG(cmem): only the 8-byte counter is written; the other 24 bytes of the block are heap garbage */
    return n;
}
