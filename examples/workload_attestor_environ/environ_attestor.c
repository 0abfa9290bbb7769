/* Example WorkloadAttestor in plain C: selectors from a process's environment.
 *
 * For every variable of /proc/<pid>/environ whose name starts with the configured prefix it emits
 * the selector value "env:<NAME>=<value>"; the agent types it with the plugin's configured name,
 * e.g. "environ:env:TEAM_NAME=blue" for a block `WorkloadAttestor "environ"`.
 *
 * plugin_data: { "prefix": "TEAM_" }   (required, non-empty)
 *
 * It includes only the plugin SDK, keeps its configuration per instance under a lock (the agent
 * may attest from several threads while a reconfiguration happens), and never lets anything it
 * allocates cross the ABI: results are emitted and copied by the host. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spire/plugin/workload_attestor.h"

#define MAX_PREFIX 128
#define MAX_ENVIRON (1024 * 1024)

static const spire_host_api* g_api; /* host API table, valid for the life of the process */

typedef struct environ_attestor {
  spire_host* host;
  pthread_mutex_t mu;
  char prefix[MAX_PREFIX];
} environ_attestor;

static spire_str cstr(const char* s) {
  spire_str out = {s, strlen(s)};
  return out;
}

static void log_msg(environ_attestor* self, spire_log_level level, const char* msg) {
  if (g_api->log_enabled(self->host, level)) {
    g_api->log(self->host, level, cstr(msg));
  }
}

/* Reads the string value of "key" from a flat JSON object. Deliberately minimal (no escapes):
 * a real plugin should use a JSON library. Returns 0 on success, -1 if absent, -2 if malformed. */
static int json_string_field(spire_str json, const char* key, char* out, size_t out_size) {
  char quoted[64];
  snprintf(quoted, sizeof quoted, "\"%s\"", key);
  const char* end = json.ptr + json.len;
  const char* p = strstr(json.ptr, quoted); /* host strings are NUL-terminated */
  if (p == NULL) {
    return -1;
  }
  p += strlen(quoted);
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
    p++;
  }
  if (p >= end || *p != ':') {
    return -2;
  }
  p++;
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) {
    p++;
  }
  if (p >= end || *p != '"') {
    return -2;
  }
  p++;
  const char* close = memchr(p, '"', (size_t)(end - p));
  if (close == NULL || (size_t)(close - p) >= out_size || memchr(p, '\\', (size_t)(close - p))) {
    return -2;
  }
  memcpy(out, p, (size_t)(close - p));
  out[close - p] = '\0';
  return 0;
}

static spire_status parse_config(spire_call* call, spire_str json, char* prefix) {
  int rc = json_string_field(json, "prefix", prefix, MAX_PREFIX);
  if (rc == -1 || (rc == 0 && prefix[0] == '\0')) {
    return g_api->fail(call, SPIRE_INVALID_ARGUMENT, cstr("prefix is required"));
  }
  if (rc != 0) {
    return g_api->fail(call, SPIRE_INVALID_ARGUMENT,
                       cstr("prefix must be a string of at most 127 characters"));
  }
  return SPIRE_OK;
}

static spire_status create(const spire_host_api* api, spire_host* host, spire_call* call,
                           spire_plugin** out) {
  environ_attestor* self = calloc(1, sizeof *self);
  if (self == NULL) {
    return api->fail(call, SPIRE_RESOURCE_EXHAUSTED, cstr("out of memory"));
  }
  self->host = host;
  pthread_mutex_init(&self->mu, NULL);
  *out = (spire_plugin*)self;
  return SPIRE_OK;
}

static void destroy(spire_plugin* plugin) {
  environ_attestor* self = (environ_attestor*)plugin;
  pthread_mutex_destroy(&self->mu);
  free(self);
}

static spire_status configure(spire_plugin* plugin, spire_call* call, const spire_core_config* core,
                              spire_str json) {
  environ_attestor* self = (environ_attestor*)plugin;
  char prefix[MAX_PREFIX];
  (void)core;
  spire_status st = parse_config(call, json, prefix);
  if (st != SPIRE_OK) {
    return st;
  }
  pthread_mutex_lock(&self->mu);
  memcpy(self->prefix, prefix, sizeof prefix);
  pthread_mutex_unlock(&self->mu);
  log_msg(self, SPIRE_LOG_DEBUG, "configured");
  return SPIRE_OK;
}

static spire_status validate(spire_plugin* plugin, spire_call* call, const spire_core_config* core,
                             spire_str json) {
  char prefix[MAX_PREFIX];
  (void)plugin;
  (void)core;
  spire_status st = parse_config(call, json, prefix);
  if (st == SPIRE_OK) {
    g_api->emit_note(call, cstr("variables are read from /proc/<pid>/environ at process start"));
  }
  return st;
}

static spire_status attest(spire_plugin* plugin, spire_call* call, int32_t pid) {
  environ_attestor* self = (environ_attestor*)plugin;
  char prefix[MAX_PREFIX];
  char path[64];
  pthread_mutex_lock(&self->mu);
  memcpy(prefix, self->prefix, sizeof prefix);
  pthread_mutex_unlock(&self->mu);

  snprintf(path, sizeof path, "/proc/%d/environ", (int)pid);
  FILE* f = fopen(path, "rb");
  if (f == NULL) {
    char msg[160];
    snprintf(msg, sizeof msg, "cannot read %s: %s", path, strerror(errno));
    return g_api->fail(call, errno == ENOENT ? SPIRE_NOT_FOUND : SPIRE_PERMISSION_DENIED,
                       cstr(msg));
  }
  char* buf = malloc(MAX_ENVIRON);
  if (buf == NULL) {
    fclose(f);
    return g_api->fail(call, SPIRE_RESOURCE_EXHAUSTED, cstr("out of memory"));
  }
  size_t n = fread(buf, 1, MAX_ENVIRON - 1, f);
  fclose(f);
  buf[n] = '\0';

  spire_status st = SPIRE_OK;
  size_t prefix_len = strlen(prefix);
  for (size_t i = 0; i < n && st == SPIRE_OK;) {
    const char* var = buf + i; /* "NAME=value", NUL-separated */
    size_t len = strlen(var);
    if (strncmp(var, prefix, prefix_len) == 0 && strchr(var, '=') != NULL) {
      /* Build "env:NAME=value" at its full length: a truncated value could equal a shorter,
       * different variable and match an entry it should not. */
      char* value = malloc(len + 5);
      if (value == NULL) {
        st = g_api->fail(call, SPIRE_RESOURCE_EXHAUSTED, cstr("out of memory"));
        break;
      }
      memcpy(value, "env:", 4);
      memcpy(value + 4, var, len + 1);
      st = g_api->emit_selector_value(call, cstr(value));
      free(value);
    }
    i += len + 1;
  }
  free(buf);
  return st;
}

static const spire_workload_attestor_vtable kVtable = {
    sizeof(spire_workload_attestor_vtable),
    attest,
};

static const spire_plugin_descriptor kDescriptor = {
    sizeof(spire_plugin_descriptor),
    SPIRE_PLUGIN_ABI_VERSION,
    SPIRE_PLUGIN_TYPE_WORKLOAD_ATTESTOR,
    0, /* safe to call concurrently */
    "environ",
    "1.0.0",
    "selectors from a process's environment variables",
    create,
    destroy,
    configure,
    validate,
    &kVtable,
    sizeof kVtable,
};

SPIRE_PLUGIN_EXPORT uint32_t spire_plugin_entry(const spire_plugin_query* query,
                                                const spire_plugin_descriptor** out) {
  g_api = query->api;
  *out = &kDescriptor;
  return SPIRE_PLUGIN_ABI_VERSION;
}
