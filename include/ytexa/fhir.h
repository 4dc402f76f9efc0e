/* The FHIR R4 API (src/fhir, docs/fhir.md) as src/app assembles it: its route tables, one list
 * that the app's route table takes whole and the CapabilityStatement is built from (a resource's
 * table is added there once), and its dialect, which the server is given so that every answer under
 * /fhir/ is application/fhir+json and every error an OperationOutcome. */
#ifndef YTEXA_FHIR_H
#define YTEXA_FHIR_H

#include "ytexa/http.h"

/* Every FHIR route table, /fhir/metadata's first, ended by NULL. */
extern const struct yx_route *const yx_fhir_route_tables[];
extern const struct yx_api_dialect yx_fhir_dialect;

/* The Bulk Data exporter ($export, docs/fhir.md "Bulk Data"): a thread that runs the export jobs
 * one at a time, writing their files under data_dir/exports, and removes expired and cancelled
 * jobs' files. Started before serving, stopped after; a job it leaves unfinished is taken again
 * from its start by the next exporter. */
int yx_fhir_exporter_start(const char *data_dir);
void yx_fhir_exporter_stop(void);

#endif
