/*
 * livecap: Wirebook's libpcap binding for live capture (Node-API, C).
 *
 * Why not the npm `cap` module: it drops the pcap_pkthdr (kernel timestamp and wire length), fixes
 * snaplen at 65535 and promiscuous mode on, calls JavaScript once per packet, and aborts the
 * process on close() after a failed open(). This binding keeps all of libpcap's header and hands
 * packets to JavaScript in batches laid out exactly as classic pcap records:
 *
 *   u32 sec, u32 usec|nsec, u32 caplen, u32 len (little-endian), then caplen bytes
 *
 * so a batch is decoded in place and can be appended to a pcap file as is.
 *
 *   open(device, filter, snaplen, promisc, bufferBytes, nano, batch: Buffer, onBatch(bytes, packets), immediate)
 *       → handle; throws Error with code EPERM | ENODEV | EBPF | EPCAP and libpcap's message
 *   linkType(handle) → DLT number;  nanosecond(handle) → bool
 *   stats(handle) → { received, dropped, ifDropped } (pcap_stats; undefined after close)
 *   close(handle) → bool;  safe at any time, also from inside onBatch, and twice
 *   devices() → [{ name, description, flags, addresses: [{ addr, netmask, broadaddr, dstaddr }] }]
 *   version() → pcap_lib_version()
 *
 * The capture's poll handle keeps the event loop alive while open; close() releases it.
 */
#include <node_api.h>
#include <uv.h>
#include <pcap/pcap.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(env, call)                                        \
  do {                                                          \
    if ((call) != napi_ok) {                                    \
      napi_throw_error((env), "EINTERNAL", "livecap: " #call); \
      return NULL;                                              \
    }                                                           \
  } while (0)

typedef struct {
  napi_env env;
  pcap_t* p;
  uv_poll_t poll;
  int polling;      /* poll handle initialised (must be uv_close'd) */
  int closing;      /* close() was called */
  int dispatching;  /* inside the dispatch loop: pcap_close must wait */
  int nano;
  int link_type;
  unsigned char* batch; /* JS Buffer memory (kept alive by batch_ref) */
  size_t batch_cap;
  size_t batch_len;
  uint32_t batch_packets;
  napi_ref batch_ref;
  napi_ref cb_ref;
  napi_ref self_ref;
  napi_async_context async;
  int freed_by_gc;
} Live;

static void put32(unsigned char* b, uint32_t v) {
  b[0] = (unsigned char)v;
  b[1] = (unsigned char)(v >> 8);
  b[2] = (unsigned char)(v >> 16);
  b[3] = (unsigned char)(v >> 24);
}

/* Calls onBatch(bytes, packets) and empties the batch. Exceptions become uncaught exceptions. */
static void flush(Live* L) {
  if (L->batch_packets == 0) return;
  napi_env env = L->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value cb, recv, argv[2], result;
  napi_get_reference_value(env, L->cb_ref, &cb);
  napi_get_global(env, &recv);
  napi_create_double(env, (double)L->batch_len, &argv[0]);
  napi_create_uint32(env, L->batch_packets, &argv[1]);
  L->batch_len = 0;
  L->batch_packets = 0;
  napi_status s = napi_make_callback(env, L->async, recv, cb, 2, argv, &result);
  if (s == napi_pending_exception) {
    napi_value err;
    napi_get_and_clear_last_exception(env, &err);
    napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

static void on_packet(u_char* user, const struct pcap_pkthdr* h, const u_char* data) {
  Live* L = (Live*)user;
  if (L->closing) return;
  size_t need = 16 + (size_t)h->caplen;
  if (L->batch_len + need > L->batch_cap) {
    flush(L);
    if (L->closing) return;
    if (need > L->batch_cap) return; /* cannot happen: batch >= 16 + snaplen */
  }
  unsigned char* b = L->batch + L->batch_len;
  put32(b, (uint32_t)h->ts.tv_sec);
  put32(b + 4, (uint32_t)h->ts.tv_usec); /* nanoseconds when the handle is nano precision */
  put32(b + 8, h->caplen);
  put32(b + 12, h->len);
  memcpy(b + 16, data, h->caplen);
  L->batch_len += need;
  L->batch_packets++;
}

static void release(Live* L);

static void on_poll_closed(uv_handle_t* h) {
  Live* L = (Live*)h->data;
  if (L->p != NULL) {
    pcap_close(L->p);
    L->p = NULL;
  }
  L->polling = 0;
  release(L);
}

/* Drops the JS references once libpcap and the poll handle are gone. */
static void release(Live* L) {
  if (L->polling || L->p != NULL) return;
  napi_env env = L->env;
  if (L->cb_ref) { napi_delete_reference(env, L->cb_ref); L->cb_ref = NULL; }
  if (L->batch_ref) { napi_delete_reference(env, L->batch_ref); L->batch_ref = NULL; }
  if (L->async) { napi_async_destroy(env, L->async); L->async = NULL; }
  if (L->self_ref) { napi_reference_unref(env, L->self_ref, NULL); napi_delete_reference(env, L->self_ref); L->self_ref = NULL; }
  L->batch = NULL;
}

static void do_close(Live* L) {
  if (L->closing) return;
  L->closing = 1;
  if (L->dispatching) return; /* the dispatch loop finishes the close */
  if (L->polling) {
    uv_poll_stop(&L->poll);
    uv_close((uv_handle_t*)&L->poll, on_poll_closed);
  } else {
    if (L->p != NULL) { pcap_close(L->p); L->p = NULL; }
    release(L);
  }
}

static void on_readable(uv_poll_t* h, int status, int events) {
  Live* L = (Live*)h->data;
  if (L->closing) return;
  if (status < 0) {
    do_close(L);
    return;
  }
  L->dispatching = 1;
  int n, rounds = 0;
  /*
   * Drain what is ready, but return to the event loop after a bounded number of ring blocks even
   * under a flood (the descriptor stays readable, so we are called again): timers (`seconds`) and
   * abort signals must get their turn.
   */
  do {
    n = pcap_dispatch(L->p, -1, on_packet, (u_char*)L);
  } while (n > 0 && !L->closing && ++rounds < 32);
  if (!L->closing) flush(L);
  L->dispatching = 0;
  if (n == PCAP_ERROR && !L->closing) do_close(L); /* interface went away: stop */
  if (L->closing) {
    L->closing = 0;
    do_close(L);
  }
}

static void finalize(napi_env env, void* data, void* hint) {
  (void)env; (void)hint;
  Live* L = (Live*)data;
  /* Only reached when the handle was closed (an open handle holds a strong reference to itself). */
  if (L->p != NULL && !L->polling) pcap_close(L->p);
  free(L);
}

static Live* unwrap(napi_env env, napi_value v) {
  Live* L = NULL;
  if (napi_unwrap(env, v, (void**)&L) != napi_ok || L == NULL) {
    napi_throw_type_error(env, "EINVAL", "livecap: not a capture handle");
    return NULL;
  }
  return L;
}

static napi_value throw_code(napi_env env, const char* code, const char* msg) {
  napi_throw_error(env, code, msg);
  return NULL;
}

static char* get_string(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return NULL;
  char* s = malloc(len + 1);
  if (s == NULL) return NULL;
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static napi_value Open(napi_env env, napi_callback_info info) {
  size_t argc = 9;
  napi_value argv[9], self;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 9) return throw_code(env, "EINVAL", "livecap.open: 9 arguments expected");
  char* device = get_string(env, argv[0]);
  char* filter = get_string(env, argv[1]);
  if (device == NULL || filter == NULL) {
    free(device); free(filter);
    return throw_code(env, "EINVAL", "livecap.open: device and filter must be strings");
  }
  int32_t snaplen = 0, bufsize = 0;
  bool promisc = false, nano = false, immediate = false;
  napi_get_value_int32(env, argv[2], &snaplen);
  napi_get_value_bool(env, argv[3], &promisc);
  napi_get_value_int32(env, argv[4], &bufsize);
  napi_get_value_bool(env, argv[5], &nano);
  napi_get_value_bool(env, argv[8], &immediate);
  void* bdata = NULL;
  size_t blen = 0;
  bool isbuf = false;
  napi_is_buffer(env, argv[6], &isbuf);
  if (isbuf) napi_get_buffer_info(env, argv[6], &bdata, &blen);
  napi_valuetype cbt;
  napi_typeof(env, argv[7], &cbt);
  if (!isbuf || cbt != napi_function || snaplen <= 0 || blen < (size_t)snaplen + 16) {
    free(device); free(filter);
    return throw_code(env, "EINVAL", "livecap.open: bad arguments (snaplen > 0, batch buffer >= snaplen + 16, callback)");
  }

  char errbuf[PCAP_ERRBUF_SIZE];
  char msg[PCAP_ERRBUF_SIZE + 256];
  errbuf[0] = 0;
  pcap_t* p = pcap_create(device, errbuf);
  if (p == NULL) {
    snprintf(msg, sizeof msg, "%s: %s", device, errbuf);
    free(device); free(filter);
    return throw_code(env, "EPCAP", msg);
  }
  pcap_set_snaplen(p, snaplen);
  pcap_set_promisc(p, promisc ? 1 : 0);
  if (bufsize > 0) pcap_set_buffer_size(p, bufsize);
  /*
   * Without immediate mode the kernel fills TPACKET_V3 blocks and hands one over when it is full or
   * 50 ms old: few wakeups, and bursts fit the ring. Immediate mode wakes us per packet, but each
   * packet then takes a block of its own, so a burst larger than the number of blocks drops.
   */
  pcap_set_timeout(p, 50);
  if (immediate) pcap_set_immediate_mode(p, 1);
  int is_nano = 0;
  if (nano && pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO) == 0) is_nano = 1;
  int rc = pcap_activate(p);
  if (rc < 0) {
    const char* code = "EPCAP";
    if (rc == PCAP_ERROR_PERM_DENIED || rc == PCAP_ERROR_PROMISC_PERM_DENIED) code = "EPERM";
    else if (rc == PCAP_ERROR_NO_SUCH_DEVICE) code = "ENODEV";
    const char* why = pcap_geterr(p);
    if (why == NULL || why[0] == 0) why = pcap_statustostr(rc);
    snprintf(msg, sizeof msg, "%s: %s", device, why);
    pcap_close(p);
    free(device); free(filter);
    return throw_code(env, code, msg);
  }
  if (pcap_setnonblock(p, 1, errbuf) == -1) {
    snprintf(msg, sizeof msg, "%s: %s", device, errbuf);
    pcap_close(p);
    free(device); free(filter);
    return throw_code(env, "EPCAP", msg);
  }
  if (filter[0] != 0) {
    struct bpf_program fp;
    bpf_u_int32 net = 0, mask = 0;
    if (pcap_lookupnet(device, &net, &mask, errbuf) == -1) mask = PCAP_NETMASK_UNKNOWN;
    if (pcap_compile(p, &fp, filter, 1, mask) == -1) {
      snprintf(msg, sizeof msg, "%s", pcap_geterr(p));
      pcap_close(p);
      free(device); free(filter);
      return throw_code(env, "EBPF", msg);
    }
    int sf = pcap_setfilter(p, &fp);
    pcap_freecode(&fp);
    if (sf == -1) {
      snprintf(msg, sizeof msg, "%s", pcap_geterr(p));
      pcap_close(p);
      free(device); free(filter);
      return throw_code(env, "EBPF", msg);
    }
  }
  free(filter);
  int fd = pcap_get_selectable_fd(p);
  if (fd < 0) {
    snprintf(msg, sizeof msg, "%s: no selectable file descriptor", device);
    pcap_close(p);
    free(device);
    return throw_code(env, "EPCAP", msg);
  }
  free(device);

  Live* L = calloc(1, sizeof(Live));
  L->env = env;
  L->p = p;
  L->nano = is_nano;
  L->link_type = pcap_datalink(p);
  L->batch = bdata;
  L->batch_cap = blen;
  CHECK(env, napi_create_object(env, &self));
  CHECK(env, napi_wrap(env, self, L, finalize, NULL, NULL));
  napi_create_reference(env, argv[6], 1, &L->batch_ref);
  napi_create_reference(env, argv[7], 1, &L->cb_ref);
  napi_create_reference(env, self, 1, &L->self_ref);
  napi_value name;
  napi_create_string_utf8(env, "wirebook:livecap", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, self, name, &L->async);

  uv_loop_t* loop = NULL;
  napi_get_uv_event_loop(env, &loop);
  if (loop == NULL || uv_poll_init(loop, &L->poll, fd) != 0) {
    do_close(L);
    return throw_code(env, "EPCAP", "cannot watch the capture descriptor");
  }
  L->poll.data = L;
  L->polling = 1;
  if (uv_poll_start(&L->poll, UV_READABLE, on_readable) != 0) {
    do_close(L);
    return throw_code(env, "EPCAP", "cannot watch the capture descriptor");
  }
  return self;
}

static napi_value Close(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], ret;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, "EINVAL", "livecap.close: handle expected");
  Live* L = unwrap(env, argv[0]);
  if (L == NULL) return NULL;
  int was_open = L->p != NULL && !L->closing;
  do_close(L);
  napi_get_boolean(env, was_open, &ret);
  return ret;
}

static napi_value Stats(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], o, v;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1) return throw_code(env, "EINVAL", "livecap.stats: handle expected");
  Live* L = unwrap(env, argv[0]);
  if (L == NULL) return NULL;
  if (L->p == NULL) { napi_get_undefined(env, &o); return o; }
  struct pcap_stat st;
  if (pcap_stats(L->p, &st) != 0) { napi_get_undefined(env, &o); return o; }
  napi_create_object(env, &o);
  napi_create_double(env, st.ps_recv, &v); napi_set_named_property(env, o, "received", v);
  napi_create_double(env, st.ps_drop, &v); napi_set_named_property(env, o, "dropped", v);
  napi_create_double(env, st.ps_ifdrop, &v); napi_set_named_property(env, o, "ifDropped", v);
  return o;
}

static napi_value LinkType(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], o;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Live* L = argc < 1 ? NULL : unwrap(env, argv[0]);
  if (L == NULL) return NULL;
  napi_create_int32(env, L->link_type, &o);
  return o;
}

static napi_value Nano(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], o;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  Live* L = argc < 1 ? NULL : unwrap(env, argv[0]);
  if (L == NULL) return NULL;
  napi_get_boolean(env, L->nano, &o);
  return o;
}

static void set_addr(napi_env env, napi_value o, const char* key, struct sockaddr* sa) {
  if (sa == NULL) return;
  char buf[INET6_ADDRSTRLEN + 1];
  const char* s = NULL;
  if (sa->sa_family == AF_INET) s = inet_ntop(AF_INET, &((struct sockaddr_in*)sa)->sin_addr, buf, sizeof buf);
  else if (sa->sa_family == AF_INET6) s = inet_ntop(AF_INET6, &((struct sockaddr_in6*)sa)->sin6_addr, buf, sizeof buf);
  if (s == NULL) return;
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, o, key, v);
}

static napi_value Devices(napi_env env, napi_callback_info info) {
  (void)info;
  char errbuf[PCAP_ERRBUF_SIZE];
  pcap_if_t* all = NULL;
  if (pcap_findalldevs(&all, errbuf) == -1) return throw_code(env, "EPCAP", errbuf);
  napi_value arr, v;
  napi_create_array(env, &arr);
  uint32_t i = 0;
  for (pcap_if_t* d = all; d != NULL; d = d->next) {
    napi_value dev, addrs;
    napi_create_object(env, &dev);
    napi_create_string_utf8(env, d->name, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, dev, "name", v);
    if (d->description != NULL) {
      napi_create_string_utf8(env, d->description, NAPI_AUTO_LENGTH, &v);
      napi_set_named_property(env, dev, "description", v);
    }
    napi_create_uint32(env, d->flags, &v);
    napi_set_named_property(env, dev, "flags", v);
    napi_create_array(env, &addrs);
    uint32_t j = 0;
    for (pcap_addr_t* a = d->addresses; a != NULL; a = a->next) {
      if (a->addr == NULL || (a->addr->sa_family != AF_INET && a->addr->sa_family != AF_INET6)) continue;
      napi_value ao;
      napi_create_object(env, &ao);
      set_addr(env, ao, "addr", a->addr);
      set_addr(env, ao, "netmask", a->netmask);
      set_addr(env, ao, "broadaddr", a->broadaddr);
      set_addr(env, ao, "dstaddr", a->dstaddr);
      napi_set_element(env, addrs, j++, ao);
    }
    napi_set_named_property(env, dev, "addresses", addrs);
    napi_set_element(env, arr, i++, dev);
  }
  pcap_freealldevs(all);
  return arr;
}

static napi_value Version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value v;
  napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &v);
  return v;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
    { "open", NULL, Open, NULL, NULL, NULL, napi_default, NULL },
    { "close", NULL, Close, NULL, NULL, NULL, napi_default, NULL },
    { "stats", NULL, Stats, NULL, NULL, NULL, napi_default, NULL },
    { "linkType", NULL, LinkType, NULL, NULL, NULL, napi_default, NULL },
    { "nanosecond", NULL, Nano, NULL, NULL, NULL, napi_default, NULL },
    { "devices", NULL, Devices, NULL, NULL, NULL, napi_default, NULL },
    { "version", NULL, Version, NULL, NULL, NULL, napi_default, NULL },
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
