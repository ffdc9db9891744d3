// SPDX-License-Identifier: GPL-2.0
/*
 * vmsync_fuzz - a libFuzzer target for filter.vmsync.tsc ('make fuzz').
 *
 * The input's first byte picks one file of a fixed generated host and
 * guest trace (VMSYNC_FUZZ_BASE: vmsync-gentrace DIR 200 2 4 1500, made by
 * 'make fuzz'): host/channel0_0, host/channel0_1, guest/channel0_0,
 * guest/channel0_1, host/metadata or guest/metadata (byte % 6); the rest
 * replaces that file in a copy of the trace. Then the graph of vmsync-merge
 * runs in this process: source.ctf.fs (one per trace) -> filter.vmsync.tsc
 * (downtime-ms=100) -> sink.utils.dummy, with the plugin built with
 * coverage and ASan/UBSan (VMSYNC_FUZZ_PLUGIN: its .so). An error of the
 * graph is fine here (tests/unit/bad-input replays the corpus and judges
 * the output); a sanitizer report, a signal or a hang is a finding.
 */
#define _GNU_SOURCE
#include <babeltrace2/babeltrace.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const files[] = {
	"host/channel0_0", "host/channel0_1", "guest/channel0_0",
	"guest/channel0_1", "host/metadata", "guest/metadata",
};
#define NFILES (sizeof(files) / sizeof(files[0]))

static char work[4096];
static struct { char *data; size_t len; } orig[NFILES];
static const bt_component_class_source *fs_cls;
static const bt_component_class_filter *tsc_cls;
static const bt_component_class_sink *dummy_cls;

__attribute__((noreturn)) static void die(const char *what)
{
	fprintf(stderr, "vmsync_fuzz: %s\n", what);
	exit(1);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die(path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die(path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *rel, const void *data, size_t len)
{
	char path[8192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", work, rel);
	f = fopen(path, "wb");
	if (!f || (len && fwrite(data, 1, len, f) != len) || fclose(f))
		die(path);
}

static const bt_plugin *find_plugin(const char *name)
{
	const bt_plugin *p = NULL;

	if (bt_plugin_find(name, BT_FALSE, BT_FALSE, BT_TRUE, BT_FALSE, BT_TRUE, &p) !=
	    BT_PLUGIN_FIND_STATUS_OK)
		die("babeltrace2's system plugins (ctf, utils) not found");
	return p;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *base = getenv("VMSYNC_FUZZ_BASE");
	const char *so = getenv("VMSYNC_FUZZ_PLUGIN");
	const bt_plugin_set *set = NULL;
	const bt_plugin *ctf, *utils;
	char path[8192];

	(void)argc;
	(void)argv;
	if (!base || !so)
		die("set VMSYNC_FUZZ_BASE (a vmsync-gentrace DIR) and VMSYNC_FUZZ_PLUGIN (the plugin's .so)");
	snprintf(work, sizeof(work), "%s/vmsync-fuzz.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(work))
		die("mkdtemp");
	snprintf(path, sizeof(path), "%s/host", work);
	if (mkdir(path, 0755))
		die(path);
	snprintf(path, sizeof(path), "%s/guest", work);
	if (mkdir(path, 0755))
		die(path);
	for (size_t i = 0; i < NFILES; i++) {
		snprintf(path, sizeof(path), "%s/%s", base, files[i]);
		orig[i].data = slurp(path, &orig[i].len);
		spit(files[i], orig[i].data, orig[i].len);
	}
	ctf = find_plugin("ctf");
	utils = find_plugin("utils");
	fs_cls = bt_plugin_borrow_source_component_class_by_name_const(ctf, "fs");
	dummy_cls = bt_plugin_borrow_sink_component_class_by_name_const(utils, "dummy");
	if (bt_plugin_find_all_from_file(so, BT_TRUE, &set) != BT_PLUGIN_FIND_ALL_FROM_FILE_STATUS_OK ||
	    bt_plugin_set_get_plugin_count(set) < 1)
		die("cannot load VMSYNC_FUZZ_PLUGIN");
	tsc_cls = bt_plugin_borrow_filter_component_class_by_name_const(
		bt_plugin_set_borrow_plugin_by_index_const(set, 0), "tsc");
	if (!fs_cls || !dummy_cls || !tsc_cls)
		die("component classes source.ctf.fs, sink.utils.dummy, filter.vmsync.tsc");
	return 0;
}

/* Connect every output port of @src to the filter's next free input port. */
static int connect_source(bt_graph *g, const bt_component_source *src,
			  const bt_component_filter *flt)
{
	uint64_t n = bt_component_source_get_output_port_count(src);

	for (uint64_t i = 0; i < n; i++) {
		uint64_t in = bt_component_filter_get_input_port_count(flt);
		const bt_port_input *ip = bt_component_filter_borrow_input_port_by_index_const(flt, in - 1);

		if (bt_graph_connect_ports(g, bt_component_source_borrow_output_port_by_index_const(src, i),
					   ip, NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK)
			return -1;
	}
	return 0;
}

static void run_graph(void)
{
	bt_graph *g = bt_graph_create(0);
	const bt_component_source *src[2] = { NULL, NULL };
	const bt_component_filter *flt = NULL;
	const bt_component_sink *sink = NULL;
	bt_value *fparams = bt_value_map_create();
	const char *const traces[] = { "host", "guest" };
	bt_graph_run_status st;

	if (!g || !fparams)
		die("out of memory");
	if (bt_value_map_insert_unsigned_integer_entry(fparams, "downtime-ms", 100))
		die("out of memory");
	for (int i = 0; i < 2; i++) {
		bt_value *params = bt_value_map_create(), *inputs = NULL;
		char path[8192], name[16];

		snprintf(path, sizeof(path), "%s/%s", work, traces[i]);
		snprintf(name, sizeof(name), "src%d", i);
		if (!params ||
		    bt_value_map_insert_empty_array_entry(params, "inputs", &inputs) ||
		    bt_value_array_append_string_element(inputs, path))
			die("out of memory");
		if (bt_graph_add_source_component(g, fs_cls, name, params, BT_LOGGING_LEVEL_NONE,
						  &src[i]) != BT_GRAPH_ADD_COMPONENT_STATUS_OK) {
			bt_value_put_ref(params);
			goto out;
		}
		bt_value_put_ref(params);
	}
	if (bt_graph_add_filter_component(g, tsc_cls, "vmsync", fparams, BT_LOGGING_LEVEL_NONE,
					  &flt) != BT_GRAPH_ADD_COMPONENT_STATUS_OK ||
	    bt_graph_add_sink_component(g, dummy_cls, "out", NULL, BT_LOGGING_LEVEL_NONE,
					&sink) != BT_GRAPH_ADD_COMPONENT_STATUS_OK)
		goto out;
	if (connect_source(g, src[0], flt) || connect_source(g, src[1], flt) ||
	    bt_graph_connect_ports(g, bt_component_filter_borrow_output_port_by_name_const(flt, "out"),
				   bt_component_sink_borrow_input_port_by_index_const(sink, 0),
				   NULL) != BT_GRAPH_CONNECT_PORTS_STATUS_OK)
		goto out;
	do
		st = bt_graph_run(g);
	while (st == BT_GRAPH_RUN_STATUS_AGAIN);
out:
	bt_current_thread_clear_error();
	bt_value_put_ref(fparams);
	bt_graph_put_ref(g);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	if (!size)
		return 0;
	i = data[0] % NFILES;
	spit(files[i], data + 1, size - 1);
	run_graph();
	spit(files[i], orig[i].data, orig[i].len);
	return 0;
}
