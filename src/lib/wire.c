/*
 * wire.c - the probe, answer and data messages (docs/PROTOCOL.md).
 *
 * Layout, all integers big-endian:
 *    0  magic "MCST"         16  seq           (u64)
 *    4  version (u8)         24  t_send        (u64)
 *    5  type (u8)            32  responder_id  (u64)  answers only
 *    6  flags (u16, zero)    40  t_recv        (u64)  answers only
 *    8  sender_id (u64)      48  t_answer      (u64)  answers only
 *                            56  held_back     (u32)  answers only
 *                            60  ttl (u8), 61 ttl_known (u8, bit 0),
 *                            62  reserved (u16)       answers only
 *
 * Each type has its own version (probe and data 1, answer 2), so a change
 * to the answer's layout leaves probes and data readable by older peers.
 */
#include "lib/internal.h"

#include <string.h>

static const uint8_t magic[4] = {'M', 'C', 'S', 'T'};

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

/* The version of messages of this type, or 0 for an unknown type. */
static unsigned version_of(unsigned type)
{
	switch (type) {
	case MCAST_WIRE_T_PROBE:
	case MCAST_WIRE_T_DATA: return MCAST_WIRE_VERSION;
	case MCAST_WIRE_T_ANSWER: return MCAST_WIRE_ANSWER_VERSION;
	default: return 0;
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The least length of a message of this type, or 0 for an unknown type. */
static size_t min_len(unsigned type)
{
	switch (type) {
	case MCAST_WIRE_T_PROBE: return MCAST_WIRE_PROBE_MIN;
	case MCAST_WIRE_T_ANSWER: return MCAST_WIRE_ANSWER_LEN;
	case MCAST_WIRE_T_DATA: return MCAST_WIRE_HDR_LEN;
	default: return 0;
	}
}

ssize_t mcast_wire_encode(const mcast_wire *m, void *buf, size_t cap, size_t len)
{
	size_t min = min_len(m->type);
	uint8_t *p = buf;

	if (!min || len < min || len > cap ||
	    (m->type == MCAST_WIRE_T_ANSWER && len != MCAST_WIRE_ANSWER_LEN))
		return -EINVAL;
	memset(p, 0, len);
	memcpy(p, magic, 4);
	p[4] = (uint8_t)version_of(m->type);
	p[5] = m->type;
	put64(p + 8, m->sender_id);
	put64(p + 16, m->seq);
	put64(p + 24, m->t_send);
	if (m->type == MCAST_WIRE_T_ANSWER) {
		put64(p + 32, m->responder_id);
		put64(p + 40, m->t_recv);
		put64(p + 48, m->t_answer);
		put32(p + 56, m->held_back);
		if (m->ttl >= 0 && m->ttl <= 255) {
			p[60] = (uint8_t)m->ttl;
			p[61] = 1;
		}
	}
	return (ssize_t)len;
}

void mcast_wire_stamp(void *buf, uint64_t seq, uint64_t t_send)
{
	put64((uint8_t *)buf + 16, seq);
	put64((uint8_t *)buf + 24, t_send);
}

int mcast_wire_decode(mcast_wire *m, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	unsigned want;
	size_t min;

	memset(m, 0, sizeof(*m));
	if (len < 6 || memcmp(p, magic, 4) != 0)
		return -EBADMSG;
	/* Another version may have another layout: say so before reading it.
	 * An unknown type under a version we know is not ours: garbage. */
	want = version_of(p[5]);
	if (!want)
		return p[4] == MCAST_WIRE_VERSION || p[4] == MCAST_WIRE_ANSWER_VERSION
			       ? -EBADMSG
			       : -EPROTONOSUPPORT;
	if (p[4] != want)
		return -EPROTONOSUPPORT;
	min = min_len(p[5]);
	if (len < min)
		return -ENODATA;
	if (p[5] == MCAST_WIRE_T_ANSWER && len != min)
		return -EMSGSIZE;
	/* Reserved flags must be zero: a future use needs a new version. */
	if (p[6] || p[7])
		return -EBADMSG;
	m->type = p[5];
	m->sender_id = get64(p + 8);
	m->seq = get64(p + 16);
	m->t_send = get64(p + 24);
	if (m->type == MCAST_WIRE_T_ANSWER) {
		m->responder_id = get64(p + 32);
		m->t_recv = get64(p + 40);
		m->t_answer = get64(p + 48);
		m->held_back = get32(p + 56);
		m->ttl = (p[61] & 1) ? p[60] : -1;
	}
	m->len = len;
	return 0;
}
