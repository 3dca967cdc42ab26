/* libsigner: HMAC signing of payloads for the keysign service. */
#ifndef KEYSIGN_SIGNER_H
#define KEYSIGN_SIGNER_H

#include <stddef.h>
#include <stdint.h>

#define SIGNER_SIG_LEN 64    /* HMAC-SHA512 */
#define SIGNER_DIGEST_LEN 32 /* SHA-256 / HMAC-SHA256 */
#define SIGNER_KEY_ID_MAX 64
#define SIGNER_RECEIPT_LEN 40 /* struct signer_receipt */
#define SIGNER_NONCE_LEN 32

int signer_init(const char *key_path);
const char *signer_last_error(void);
void signer_free(void *p);

/* Return malloc'd buffers of SIGNER_SIG_LEN / SIGNER_DIGEST_LEN binary bytes; free with signer_free. */
uint8_t *signer_sign(const uint8_t *data, size_t len);
uint8_t *signer_mac(const uint8_t *data, size_t len);

/* Write into out; return bytes written or -1. */
int signer_sign_into(const uint8_t *data, size_t len, uint8_t *out, size_t outlen);
int signer_digest(const uint8_t *data, size_t len, uint8_t *out, size_t outlen);
int signer_fingerprint(const uint8_t *der, size_t len, uint8_t *out, size_t outlen);
int signer_key_id(char *out, size_t outlen);
/* Mask a session token for the 1.x clients; writes len bytes, needs outlen >= len. */
int signer_wrap_token(const uint8_t *token, size_t len, uint8_t *out, size_t outlen);
/* Return 1 if sig is valid, 0 if not, -1 on error. */
int signer_verify(const uint8_t *data, size_t len, const uint8_t *sig, size_t siglen);

/* Sealed envelope: header | data | signature. */
int signer_pack_header(uint8_t *out, unsigned char tag, unsigned int len);
int signer_pack_status(uint8_t *out, unsigned char code, unsigned int detail);
int signer_pack_error(uint8_t *out, unsigned int code);
int signer_seal(const uint8_t *data, size_t len, uint8_t *out, size_t outlen);
int signer_send_sealed(int sock, const uint8_t *data, size_t len);
int signer_send_key_info(int sock);

/* Key-usage receipt for the 1.x clients (v2 clears its reserved bytes); return bytes written or -1. */
int signer_receipt(uint8_t *out, size_t outlen, uint64_t issued);
int signer_receipt_v2(uint8_t *out, size_t outlen, uint64_t issued);
/* Return a malloc'd SIGNER_NONCE_LEN-byte nonce block (its counter first); free with signer_free. */
uint8_t *signer_nonce(uint64_t counter);

/* Append one line to the key-usage audit log. */
int signer_audit(int fd, const char *name);
int signer_audit_line(int fd, const char *name);
int signer_audit_record(int fd, const char *name);

#endif /* KEYSIGN_SIGNER_H */
