/* The FHIR R4 API (src/fhir, docs/fhir.md) as src/app assembles it: its route tables, which the
 * app's route table lists like every workflow's (and the CapabilityStatement is built from), and its dialect,
 * which the server is given so that every answer under /fhir/ is application/fhir+json and every error an
 * OperationOutcome. */
#ifndef YTEXA_FHIR_H
#define YTEXA_FHIR_H

#include "ytexa/http.h"

extern const struct yx_route yx_fhir_metadata_routes[];
extern const struct yx_route yx_fhir_patient_routes[];
extern const struct yx_route yx_fhir_organization_routes[];
extern const struct yx_route yx_fhir_practitioner_routes[];
extern const struct yx_route yx_fhir_encounter_routes[];
extern const struct yx_route yx_fhir_observation_routes[];
extern const struct yx_route yx_fhir_medication_routes[];
extern const struct yx_api_dialect yx_fhir_dialect;

#endif
