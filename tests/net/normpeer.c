/*
 * normpeer.c - a small NORM program written directly against libnorm's C
 * API (normApi.h), with none of mcast's code, so the tests can check that
 * mcast speaks NORM to something that is not itself.
 *
 *   normpeer ID GROUP PORT IFACE send [--ack N] FILE...
 *       send each FILE as a NORM file object whose info is its base name
 *       (as NRL's normCast does); with --ack N, wait for N receivers to
 *       acknowledge (auto-populated acking list) and print each one. A
 *       FILE written info:HEX:PATH sends PATH with the info HEX (bytes in
 *       hex), to try a receiver with names no honest sender would use
 *   normpeer ID GROUP PORT IFACE recv-files DIR N
 *       store N files under DIR, named by their info up to the first NUL
 *       (as normCast does), and print "file NAME SIZE" for each
 *   normpeer ID GROUP PORT IFACE recv-data N
 *       print N data objects (and each stream line) as "data LEN: TEXT"
 *       or "line LEN: TEXT", bytes outside printable ASCII as \xHH
 *
 * ID is the NORM node id (distinct per process). Every mode gives up after
 * 60 seconds, or NORMPEER_SECONDS. Exit 0 when done, 1 otherwise.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
/* Two prototypes of normApi.h are C++ only (a reference parameter and a
 * default argument); neither is used here. */
#define NormGetRxBindAddress(...) NormGetRxBindAddress_cxx_only(void)
#define NormStreamGetVacancy(...) NormStreamGetVacancy_cxx_only(void)
#include <normApi.h>
#undef NormGetRxBindAddress
#undef NormStreamGetVacancy
#pragma GCC diagnostic pop

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

static NormInstanceHandle inst;
static NormSessionHandle sess;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The next event, waiting until the deadline; false when it passed. */
static bool next_event(NormEvent *ev, double deadline)
{
	int fd = NormGetDescriptor(inst);

	for (;;) {
		double left = deadline - now();
		struct timeval tv;
		fd_set set;

		if (left <= 0)
			return false;
		FD_ZERO(&set);
		FD_SET(fd, &set);
		tv.tv_sec = (time_t)left;
		tv.tv_usec = (suseconds_t)((left - (double)tv.tv_sec) * 1e6);
		if (select(fd + 1, &set, NULL, NULL, &tv) > 0 &&
		    NormGetNextEvent(inst, ev, false))
			return true;
	}
}

/* Serve the sender's acknowledgement requests for a moment after the last
 * object, so that it learns this receiver has everything. */
static void linger(double deadline)
{
	double until = now() + 2;
	NormEvent ev;

	while (next_event(&ev, until < deadline ? until : deadline)) {
	}
}

static void print_bytes(const char *what, const char *p, size_t n)
{
	printf("%s %zu: ", what, n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	putchar('\n');
	fflush(stdout);
}

static int send_files(int argc, char **argv, double deadline)
{
	int acks = 0, sent = 0, i = 0;
	bool marked = false;
	NormObjectHandle last = NORM_OBJECT_INVALID;
	NormEvent ev;

	if (argc >= 2 && strcmp(argv[0], "--ack") == 0) {
		acks = (int)strtol(argv[1], NULL, 10);
		argv += 2, argc -= 2;
	}
	NormSetGrttEstimate(sess, 0.01);
	NormSetGrttMax(sess, 0.05);
	NormSetBackoffFactor(sess, 0);
	NormSetTxRate(sess, getenv("NORMPEER_RATE") ? strtod(getenv("NORMPEER_RATE"), NULL) : 200e6);
	if (acks)
		NormSetAutoAckingNodes(sess, NORM_TRACK_RECEIVERS);
	if (!NormStartSender(sess, NormGetRandomSessionId(), 8 << 20, 1400, 64, 0, 0)) {
		fprintf(stderr, "normpeer: cannot start sender\n");
		return 1;
	}
	NormSetTxSocketBuffer(sess, 4 << 20);
	while (next_event(&ev, deadline)) {
		/* Enqueue the files one by one as the queue has room. */
		while (i < argc) {
			char info[1024];
			const char *path = argv[i], *base;
			unsigned n = 0;
			NormObjectHandle o;

			if (strncmp(path, "info:", 5) == 0 && strchr(path + 5, ':')) {
				const char *h = path + 5;

				while (*h != ':' && n < sizeof(info)) {
					unsigned v;

					if (sscanf(h, "%2x", &v) != 1)
						break;
					info[n++] = (char)v;
					h += 2;
				}
				path = strchr(path + 5, ':') + 1;
			} else {
				base = strrchr(path, '/');
				base = base ? base + 1 : path;
				n = (unsigned)strlen(base);
				memcpy(info, base, n);
			}
			o = NormFileEnqueue(sess, path, info, n);
			if (o == NORM_OBJECT_INVALID)
				break;
			last = o;
			i++;
		}
		if (i == argc && last != NORM_OBJECT_INVALID && acks) {
			NormSetWatermark(sess, last, true);
			last = NORM_OBJECT_INVALID;
			marked = true;
		}
		switch (ev.type) {
		case NORM_TX_OBJECT_SENT:
			sent++;
			break;
		case NORM_ACKING_NODE_NEW:
			printf("new node %08x\n", (unsigned)NormNodeGetId(ev.sender));
			fflush(stdout);
			/* A receiver heard from after the watermark was set is
			 * not asked by it: ask again, now including it. */
			if (marked)
				NormResetWatermark(sess);
			break;
		case NORM_TX_FLUSH_COMPLETED:
			if (!acks && i == argc && sent >= argc) {
				printf("sent %d\n", sent);
				return 0;
			}
			break;
		case NORM_TX_WATERMARK_COMPLETED: {
			NormNodeId id = NORM_NODE_NONE;
			NormAckingStatus st;
			int ok = 0;

			while (NormGetNextAckingNode(sess, &id, &st)) {
				printf("node %08x %s\n", (unsigned)id,
				       st == NORM_ACK_SUCCESS ? "acknowledged" : "failed");
				ok += st == NORM_ACK_SUCCESS;
			}
			fflush(stdout);
			if (ok >= acks)
				return 0;
			NormResetWatermark(sess);
			break;
		}
		default:
			break;
		}
	}
	fprintf(stderr, "normpeer: gave up after sending %d of %d\n", sent, argc);
	return 1;
}

static int recv_files(const char *dir, int want, double deadline)
{
	char path[PATH_MAX], cache[PATH_MAX];
	int got = 0;
	NormEvent ev;

	snprintf(cache, sizeof(cache), "%s/", dir);
	NormSetCacheDirectory(inst, cache);
	if (!NormStartReceiver(sess, 16 << 20)) {
		fprintf(stderr, "normpeer: cannot start receiver\n");
		return 1;
	}
	NormSetRxSocketBuffer(sess, 4 << 20);
	/* The test waits for this line, not for a fixed time. */
	fprintf(stderr, "normpeer: receiving\n");
	while (got < want && next_event(&ev, deadline)) {
		if (NormObjectGetType(ev.object) != NORM_OBJECT_FILE)
			continue;
		if (ev.type == NORM_RX_OBJECT_INFO) {
			char info[1024];
			unsigned n = NormObjectGetInfo(ev.object, info, sizeof(info) - 1);

			info[n] = '\0'; /* a C string: the name ends at a NUL */
			snprintf(path, sizeof(path), "%s/%s", dir, info);
			if (!NormFileRename(ev.object, path))
				perror("normpeer: rename");
		} else if (ev.type == NORM_RX_OBJECT_COMPLETED) {
			const char *base;

			NormFileGetName(ev.object, path, sizeof(path));
			base = strrchr(path, '/');
			printf("file %s %lld\n", base ? base + 1 : path,
			       (long long)NormObjectGetSize(ev.object));
			fflush(stdout);
			got++;
		}
	}
	linger(deadline);
	return got == want ? 0 : 1;
}

static int recv_data(int want, double deadline)
{
	static char line[65536];
	size_t used = 0;
	int got = 0;
	NormEvent ev;

	if (!NormStartReceiver(sess, 16 << 20)) {
		fprintf(stderr, "normpeer: cannot start receiver\n");
		return 1;
	}
	NormSetRxSocketBuffer(sess, 4 << 20);
	/* The test waits for this line, not for a fixed time. */
	fprintf(stderr, "normpeer: receiving\n");
	while (got < want && next_event(&ev, deadline)) {
		NormObjectType t = NormObjectGetType(ev.object);

		if (t == NORM_OBJECT_DATA && ev.type == NORM_RX_OBJECT_COMPLETED) {
			print_bytes("data", NormDataAccessData(ev.object),
				    (size_t)NormObjectGetSize(ev.object));
			got++;
		} else if (t == NORM_OBJECT_STREAM && ev.type == NORM_RX_OBJECT_UPDATED) {
			unsigned n;

			do {
				char *nl;

				n = (unsigned)(sizeof(line) - used);
				if (!NormStreamRead(ev.object, line + used, &n))
					break;
				used += n;
				while (got < want && (nl = memchr(line, '\n', used)) != NULL) {
					print_bytes("line", line, (size_t)(nl - line));
					used -= (size_t)(nl - line) + 1;
					memmove(line, nl + 1, used);
					got++;
				}
			} while (n > 0);
		}
	}
	linger(deadline);
	return got == want ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *secs = getenv("NORMPEER_SECONDS");
	double deadline = now() + (secs ? strtod(secs, NULL) : 60);
	int rc = 2;

	if (argc < 6) {
		fprintf(stderr, "usage: normpeer ID GROUP PORT IFACE "
				"send [--ack N] FILE...|recv-files DIR N|recv-data N\n");
		return 2;
	}
	inst = NormCreateInstance(false);
	sess = NormCreateSession(inst, argv[2], (UINT16)strtol(argv[3], NULL, 10),
				 (NormNodeId)strtoul(argv[1], NULL, 0));
	if (sess == NORM_SESSION_INVALID) {
		fprintf(stderr, "normpeer: cannot create session\n");
		return 1;
	}
	NormSetRxPortReuse(sess, true, NULL, NULL, 0);
	NormSetMulticastInterface(sess, argv[4]);
	NormSetDefaultSyncPolicy(sess, NORM_SYNC_ALL);
	if (strcmp(argv[5], "send") == 0 && argc > 6)
		rc = send_files(argc - 6, argv + 6, deadline);
	else if (strcmp(argv[5], "recv-files") == 0 && argc == 8)
		rc = recv_files(argv[6], (int)strtol(argv[7], NULL, 10), deadline);
	else if (strcmp(argv[5], "recv-data") == 0 && argc == 7)
		rc = recv_data((int)strtol(argv[6], NULL, 10), deadline);
	else
		fprintf(stderr, "normpeer: bad mode or arguments\n");
	NormDestroySession(sess);
	NormDestroyInstance(inst);
	return rc;
}
