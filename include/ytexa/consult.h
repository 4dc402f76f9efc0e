/* Remote consultation between facilities (src/consult): what the rest of the program starts. */
#ifndef YTEXA_CONSULT_H
#define YTEXA_CONSULT_H

/* The escalator: a background job that moves every case nobody accepted in time one level up the
 * support network (at start, then every 5 s). Call once from the main thread before serving. */
int yx_consult_escalator_start(void);
/* Stops it after the pass in progress. */
void yx_consult_escalator_stop(void);

#endif
