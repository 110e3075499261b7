/*
 * log_json.h: TRANSITIONAL, to be removed. Logging a Jansson object as one
 * log line, kept only because master.c still builds its worker lines with
 * Jansson (issue 13 item 5 converts it to the line writer of log.h). Nothing
 * else may use it. When master.c no longer calls lume_log_json, delete this
 * header, its include in master.h, lume_log_json and put_raw in log.c (with
 * log.c's includes of <jansson.h> and "log_json.h"), and the transitional
 * test and include in tests/fcgi-app/test_log.c.
 */
#ifndef LUME_LOG_JSON_H
#define LUME_LOG_JSON_H

#include <jansson.h>

#include "log.h"

/* Log the object's fields after time, level and pid; takes ownership of
 * fields. Strings and integers are written as with lume_logline_str/_int,
 * other values as their JSON text. */
void lume_log_json(int level, json_t *fields);

#endif
