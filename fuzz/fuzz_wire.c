/*
 * fuzz_wire.c - mcast_wire_decode() on arbitrary datagrams: the decoder
 * that every pong, ping and bench recv runs on whatever a shared segment
 * sends it.
 *
 * Properties: decoding reads only the datagram (a heap copy of exactly its
 * size); the result is 0 or one of the documented error classes; whatever
 * decodes encodes back to bytes that decode to the same message; and a
 * stamped copy decodes with the new sequence number and time.
 */
#include "fuzz.h"

#include "mcast.h"

#include <errno.h>

static void same(const mcast_wire *a, const mcast_wire *b)
{
	FUZZ_CHECK(a->type == b->type && a->sender_id == b->sender_id &&
			   a->seq == b->seq && a->t_send == b->t_send &&
			   a->responder_id == b->responder_id &&
			   a->t_recv == b->t_recv && a->t_answer == b->t_answer &&
			   a->held_back == b->held_back && a->ttl == b->ttl &&
			   a->len == b->len,
		   "messages differ after a round trip");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1), *again;
	mcast_wire m, n;
	int rc;

	FUZZ_CHECK(copy != NULL, "out of memory");
	if (size)
		memcpy(copy, data, size);
	rc = mcast_wire_decode(&m, copy, size);
	FUZZ_CHECK(rc == 0 || rc == -EBADMSG || rc == -EPROTONOSUPPORT ||
			   rc == -ENODATA || rc == -EMSGSIZE,
		   "unexpected result %d", rc);
	if (rc == 0) {
		FUZZ_CHECK(m.len == size, "len %zu for a %zu-byte datagram", m.len, size);
		FUZZ_CHECK(m.type >= MCAST_WIRE_T_PROBE && m.type <= MCAST_WIRE_T_DATA,
			   "type %u decoded", m.type);
		/* Encode into a buffer of exactly the size, decode again. */
		again = malloc(size);
		FUZZ_CHECK(again != NULL, "out of memory");
		FUZZ_CHECK(mcast_wire_encode(&m, again, size, size) == (ssize_t)size,
			   "a decoded message does not encode at its own size");
		FUZZ_CHECK(mcast_wire_decode(&n, again, size) == 0,
			   "an encoded message does not decode");
		same(&m, &n);
		mcast_wire_stamp(again, m.seq + 1, m.t_send ^ 1);
		FUZZ_CHECK(mcast_wire_decode(&n, again, size) == 0, "stamped: no decode");
		FUZZ_CHECK(n.seq == m.seq + 1 && n.t_send == (m.t_send ^ 1) &&
				   n.sender_id == m.sender_id && n.type == m.type,
			   "stamp changed the wrong fields");
		free(again);
	}
	free(copy);
	return 0;
}
