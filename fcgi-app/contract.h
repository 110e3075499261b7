/*
 * contract.h: the API's fixed values as one JSON document, for
 * `lume-fcgi --dump-contract`. nginx/render.py builds nginx's own error
 * answers from it (codes, messages, statuses, headers), the Allow list and
 * the providers' reported names, so that nginx and the app never disagree.
 */
#ifndef LUME_CONTRACT_H
#define LUME_CONTRACT_H

#include <jansson.h>

/* {"version", "allow", "errors": {CODE: {"status", "message", "headers",
 * "provider"}}, "providers": {LUME_PROVIDER value: reported name}, "bounds"}.
 * A new reference, NULL when out of memory. */
json_t *lume_contract(void);

#endif
