/*
 * Freshet's guard for Mosquitto 2.0 (plugin API v5): whose client ids a login may use, and how fast a tenant may
 * publish. Mosquitto's password and ACL files say who may log in and where each user may publish; they cannot say
 * which client ids a user may take, and a client that connects with another's id takes over its session (a clean
 * one discards what the broker kept for it). Nor can the broker push back on a tenant that publishes faster than
 * the pipeline takes. No plugin that ships with Mosquitto does either (docs/building.md, "Hand-made parts").
 *
 * Identities: a tenant's device logs in with the tenant id as user name and uses client ids "<tenant>:<name>" only
 * (tenant ids never hold ':', so no tenant's ids are another's); the sources service's user uses only ids starting
 * with its prefix, which hold no ':' (so no device's id is the service's). Anything else is refused at CONNECT,
 * before a session is touched.
 *
 * Rates: each tenant has a token bucket of its events per second (a second's worth of burst), read from the limits
 * file the sources service keeps ("<tenant> <per-second>" lines; reread within a second of a change). A PUBLISH over the rate is not
 * acknowledged: the connection is closed, so the device sends it again later (QoS 1) and nothing it was told was
 * accepted is dropped.
 *
 * Backlog: what the broker keeps for the service's session while the service is slow or away is bounded without
 * dropping anything acknowledged: the guard counts each tenant's messages (and their bytes) it let in, the service
 * reports what it has taken ("<tenant> <messages> <bytes>" lines published to $CONTROL/freshet-guard/v1 after each
 * batch), and a tenant's PUBLISH is refused as above while that tenant has more waiting than its share
 * (plugin_opt_max_tenant_backlog messages or plugin_opt_max_tenant_backlog_bytes), or all tenants together more than
 * plugin_opt_max_backlog or plugin_opt_max_backlog_bytes: one tenant's flood fills its own share, not the others'.
 * A "<messages> <bytes>" line (the report of a service from before the shares) counts for all tenants together only.
 * The broker's own queue bounds stay as a backstop above it. The counts start at zero when the broker starts (what it
 * restored from disk is not counted).
 *
 * Options (mosquitto.conf, after "plugin <path to this .so>"):
 *   plugin_opt_service_user      the sources service's user name (reads freshet/#; never rate-limited)
 *   plugin_opt_service_prefix    the client-id prefix reserved to that user
 *   plugin_opt_limits_file       the tenants' limits; a tenant not in it gets plugin_opt_default_rate
 *   plugin_opt_default_rate      events per second of a tenant without a limit of its own
 *   plugin_opt_max_backlog       messages let in and not yet taken by the service, at most
 *   plugin_opt_max_backlog_bytes their payload bytes, at most
 *   plugin_opt_max_tenant_backlog       one tenant's messages let in and not yet taken, at most
 *   plugin_opt_max_tenant_backlog_bytes their payload bytes, at most
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <mosquitto.h>
#include <mosquitto_broker.h>
#include <mosquitto_plugin.h>

#define BUCKETS 4096
#define MAX_USER 128
#define CONTROL_TOPIC "$CONTROL/freshet-guard/v1"
#define MAX_REPORT (1024 * 1024)

struct tenant_rate {
	char user[MAX_USER];
	double per_second;
	double tokens;
	double last; /* seconds, monotonic */
	long refused;
	long backlog;        /* messages let in and not yet reported taken */
	long backlog_bytes;
	long backlog_refused;
	struct tenant_rate *next;
};

static mosquitto_plugin_id_t *plugin_id;
static char *service_user;
static char *service_prefix;
static char *limits_file;
static double default_rate = 100000;
static struct timespec limits_changed; /* the limits file's mtime when it was read */
static double limits_checked;
static long max_backlog = 100000;
static long backlog;
static long max_backlog_bytes = 64L * 1024 * 1024;
static long backlog_bytes;
static long backlog_refused;
static long max_tenant_backlog = 20000;
static long max_tenant_backlog_bytes = 16L * 1024 * 1024;
static struct tenant_rate *table[BUCKETS];

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;
	for(; *s; s++){
		h = (h ^ (unsigned char)*s) * 16777619u;
	}
	return h % BUCKETS;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct tenant_rate *rate_of(const char *user, int create)
{
	unsigned h = hash(user);
	struct tenant_rate *r;
	for(r = table[h]; r; r = r->next){
		if(!strcmp(r->user, user)) return r;
	}
	if(!create || strlen(user) >= MAX_USER) return NULL;
	r = calloc(1, sizeof(*r));
	if(!r) return NULL;
	strcpy(r->user, user);
	r->per_second = -1; /* the default until the limits file names it */
	r->tokens = default_rate;
	r->last = now_seconds();
	r->next = table[h];
	table[h] = r;
	return r;
}

/* Reads "<tenant> <per-second>" lines; a tenant no longer listed goes back to the default. */
static void read_limits(void)
{
	FILE *f;
	char user[MAX_USER];
	double per_second;
	int i, count = 0;
	struct tenant_rate *r;

	if(!limits_file) return;
	for(i = 0; i < BUCKETS; i++){
		for(r = table[i]; r; r = r->next) r->per_second = -1;
	}
	f = fopen(limits_file, "r");
	if(!f){
		if(errno != ENOENT){
			mosquitto_log_printf(MOSQ_LOG_WARNING, "freshet guard: cannot read %s: %s", limits_file, strerror(errno));
		}
		return;
	}
	while(fscanf(f, "%127s %lf", user, &per_second) == 2){
		r = rate_of(user, 1);
		if(r && per_second > 0){
			r->per_second = per_second;
			if(r->tokens > per_second) r->tokens = per_second;
			count++;
		}
	}
	fclose(f);
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "freshet guard: %d tenant limits read, %.0f/s for the others", count, default_rate);
}

/* Rereads the limits file when it changed. */
static void check_limits(void)
{
	struct stat st;
	if(limits_file && stat(limits_file, &st) == 0 && (st.st_mtim.tv_sec != limits_changed.tv_sec
			|| st.st_mtim.tv_nsec != limits_changed.tv_nsec)){
		limits_changed = st.st_mtim;
		read_limits();
	}
}

/* One token of the tenant's bucket, or 0 when it is over its rate. */
static int take(const char *user)
{
	struct tenant_rate *r = rate_of(user, 1);
	double now, rate;
	if(!r) return 0;
	rate = r->per_second > 0 ? r->per_second : default_rate;
	now = now_seconds();
	r->tokens += (now - r->last) * rate;
	if(r->tokens > rate) r->tokens = rate;
	r->last = now;
	if(r->tokens < 1){
		/* logged at the first refusal and then once per 1,000, so a flood does not flood the log */
		if(r->refused++ % 1000 == 0){
			mosquitto_log_printf(MOSQ_LOG_NOTICE, "freshet guard: tenant %s over %.0f events/s: publish not "
					"acknowledged, connection closed (%ld refused so far)", user, rate, r->refused);
		}
		return 0;
	}
	r->tokens -= 1;
	return 1;
}

static int on_basic_auth(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_basic_auth *auth = event_data;
	const char *id = mosquitto_client_id(auth->client);
	const char *user = auth->username;
	size_t n;
	(void)event;
	(void)userdata;

	if(!user || !id) return MOSQ_ERR_AUTH;
	/* a new user's rate is in the file before its password is: read it before its first message */
	check_limits();
	if(!strcmp(user, service_user)){
		if(!strncmp(id, service_prefix, strlen(service_prefix))) return MOSQ_ERR_PLUGIN_DEFER;
	}else{
		n = strlen(user);
		if(!strncmp(id, user, n) && id[n] == ':' && id[n + 1] != '\0') return MOSQ_ERR_PLUGIN_DEFER;
	}
	mosquitto_log_printf(MOSQ_LOG_NOTICE, "freshet guard: user %s may not use client id %s (a device's client id is "
			"<tenant>:<name>)", user, id);
	return MOSQ_ERR_AUTH;
}

static int on_message(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_message *message = event_data;
	const char *user = mosquitto_client_username(message->client);
	struct tenant_rate *r;
	(void)event;
	(void)userdata;

	if(!user || !strcmp(user, service_user)) return MOSQ_ERR_SUCCESS;
	if(backlog >= max_backlog || backlog_bytes >= max_backlog_bytes){
		if(backlog_refused++ % 1000 == 0){
			mosquitto_log_printf(MOSQ_LOG_WARNING, "freshet guard: %ld messages (%ld bytes) wait for the sources service: "
					"publish of %s not acknowledged, connection closed (%ld refused so far)", backlog, backlog_bytes, user,
					backlog_refused);
		}
		return MOSQ_ERR_ADMINISTRATIVE_ACTION;
	}
	r = rate_of(user, 1);
	if(!r) return MOSQ_ERR_ADMINISTRATIVE_ACTION;
	if(r->backlog >= max_tenant_backlog || r->backlog_bytes >= max_tenant_backlog_bytes){
		if(r->backlog_refused++ % 1000 == 0){
			mosquitto_log_printf(MOSQ_LOG_NOTICE, "freshet guard: tenant %s has %ld messages (%ld bytes) waiting for the "
					"sources service, its share: publish not acknowledged, connection closed (%ld refused so far)", user,
					r->backlog, r->backlog_bytes, r->backlog_refused);
		}
		return MOSQ_ERR_ADMINISTRATIVE_ACTION;
	}
	if(!take(user)) return MOSQ_ERR_ADMINISTRATIVE_ACTION;
	backlog++;
	backlog_bytes += message->payloadlen;
	r->backlog++;
	r->backlog_bytes += message->payloadlen;
	return MOSQ_ERR_SUCCESS;
}

static void taken_from(long *count, long *bytes, long taken, long taken_bytes)
{
	*count = *count > taken ? *count - taken : 0;
	*bytes = *bytes > taken_bytes ? *bytes - taken_bytes : 0;
}

/* One line of a report: "<tenant> <messages> <bytes>", or "<messages> <bytes>" for all tenants together. */
static int take_report_line(const char *line)
{
	char user[MAX_USER], rest;
	long taken, taken_bytes;
	struct tenant_rate *r;
	if(sscanf(line, "%127s %ld %ld %c", user, &taken, &taken_bytes, &rest) == 3){
		if(taken < 0 || taken_bytes < 0) return 0;
		r = rate_of(user, 0);
		if(r) taken_from(&r->backlog, &r->backlog_bytes, taken, taken_bytes);
	}else if(sscanf(line, "%ld %ld %c", &taken, &taken_bytes, &rest) != 2 || taken < 0 || taken_bytes < 0){
		return 0;
	}
	taken_from(&backlog, &backlog_bytes, taken, taken_bytes);
	return 1;
}

/* The service took these messages: only its own user may say so. */
static int on_control(int event, void *event_data, void *userdata)
{
	struct mosquitto_evt_control *control = event_data;
	const char *user = mosquitto_client_username(control->client);
	char *report, *line, *save = NULL;
	(void)event;
	(void)userdata;

	if(!user || strcmp(user, service_user) || control->payloadlen == 0 || control->payloadlen > MAX_REPORT){
		return MOSQ_ERR_ACL_DENIED;
	}
	report = malloc(control->payloadlen + 1);
	if(!report) return MOSQ_ERR_NOMEM;
	memcpy(report, control->payload, control->payloadlen);
	report[control->payloadlen] = '\0';
	for(line = strtok_r(report, "\n", &save); line; line = strtok_r(NULL, "\n", &save)){
		if(!take_report_line(line)){
			mosquitto_log_printf(MOSQ_LOG_WARNING, "freshet guard: ignored a report line that is not "
					"'<tenant> <messages> <bytes>'");
		}
	}
	free(report);
	return MOSQ_ERR_SUCCESS;
}

/* Mosquitto 2.0.11 sends plugins no reload event on SIGHUP: the limits file is checked once a second instead. */
static int on_tick(int event, void *event_data, void *userdata)
{
	double now = now_seconds();
	(void)event;
	(void)event_data;
	(void)userdata;
	if(now - limits_checked >= 1){
		limits_checked = now;
		check_limits();
	}
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_version(int supported_version_count, const int *supported_versions)
{
	int i;
	for(i = 0; i < supported_version_count; i++){
		if(supported_versions[i] == 5) return 5;
	}
	return -1;
}

int mosquitto_plugin_init(mosquitto_plugin_id_t *identifier, void **userdata, struct mosquitto_opt *options, int option_count)
{
	int i;
	(void)userdata;

	plugin_id = identifier;
	for(i = 0; i < option_count; i++){
		if(!strcmp(options[i].key, "service_user")) service_user = strdup(options[i].value);
		else if(!strcmp(options[i].key, "service_prefix")) service_prefix = strdup(options[i].value);
		else if(!strcmp(options[i].key, "limits_file")) limits_file = strdup(options[i].value);
		else if(!strcmp(options[i].key, "default_rate")) default_rate = atof(options[i].value);
		else if(!strcmp(options[i].key, "max_backlog")) max_backlog = atol(options[i].value);
		else if(!strcmp(options[i].key, "max_backlog_bytes")) max_backlog_bytes = atol(options[i].value);
		else if(!strcmp(options[i].key, "max_tenant_backlog")) max_tenant_backlog = atol(options[i].value);
		else if(!strcmp(options[i].key, "max_tenant_backlog_bytes")) max_tenant_backlog_bytes = atol(options[i].value);
	}
	if(!service_user || !service_prefix || strchr(service_prefix, ':') || default_rate <= 0 || max_backlog <= 0
			|| max_backlog_bytes <= 0 || max_tenant_backlog <= 0 || max_tenant_backlog_bytes <= 0){
		mosquitto_log_printf(MOSQ_LOG_ERR, "freshet guard: plugin_opt_service_user and plugin_opt_service_prefix (without "
				"':') are required, plugin_opt_default_rate and the backlog bounds must be positive");
		return MOSQ_ERR_INVAL;
	}
	if(mosquitto_callback_register(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL, NULL)
			|| mosquitto_callback_register(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL, NULL)
			|| mosquitto_callback_register(plugin_id, MOSQ_EVT_TICK, on_tick, NULL, NULL)
			|| mosquitto_callback_register(plugin_id, MOSQ_EVT_CONTROL, on_control, CONTROL_TOPIC, NULL)){
		return MOSQ_ERR_UNKNOWN;
	}
	return MOSQ_ERR_SUCCESS;
}

int mosquitto_plugin_cleanup(void *userdata, struct mosquitto_opt *options, int option_count)
{
	(void)userdata;
	(void)options;
	(void)option_count;
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_BASIC_AUTH, on_basic_auth, NULL);
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_MESSAGE, on_message, NULL);
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_TICK, on_tick, NULL);
	mosquitto_callback_unregister(plugin_id, MOSQ_EVT_CONTROL, on_control, CONTROL_TOPIC);
	return MOSQ_ERR_SUCCESS;
}
