/* pq_dyn.h — libpq, loaded on first connection.
 *
 * libpq brings Kerberos, LDAP, GnuTLS and OpenSSL with it: about 5 MB of
 * resident memory in every process that maps them, most of which never talk
 * to PostgreSQL (the dashboard on local files, `mc snapshot`). So the postgres
 * kind opens libpq with dlopen when it first connects; its files include this
 * header and call the usual PQ* names, which go through the table below.
 * pq_dyn() must have returned non-NULL before any of them is called
 * (pg_connect checks it; every other call works on its connection). */
#ifndef MC_PQ_DYN_H
#define MC_PQ_DYN_H

#include <libpq-fe.h>

#define PQ_DYN_FUNCS(X)                                                                      \
    X(PQstatus) X(PQfinish) X(PQerrorMessage) X(PQpass) X(PQresultStatus) X(PQgetResult)     \
    X(PQfreemem) X(PQconsumeInput) X(PQclear) X(PQsocket) X(PQsendQueryParams)               \
    X(PQresultErrorField) X(PQntuples) X(PQnfields) X(PQtransactionStatus)                   \
    X(PQsetSingleRowMode) X(PQsetNoticeProcessor) X(PQsendQuery) X(PQresultErrorMessage)     \
    X(PQnotifies) X(PQisBusy) X(PQgetvalue) X(PQgetlength) X(PQgetisnull) X(PQgetCancel)     \
    X(PQfreeCancel) X(PQfname) X(PQexecParams) X(PQescapeIdentifier) X(PQconninfoParse)      \
    X(PQconninfoFree) X(PQconnectStartParams) X(PQconnectPoll) X(PQcmdTuples) X(PQcancel)

typedef struct PqApi {
#define PQ_DYN_MEMBER(f) __typeof__(f) *p_##f;
    PQ_DYN_FUNCS(PQ_DYN_MEMBER)
#undef PQ_DYN_MEMBER
} PqApi;

/* Loads libpq once (thread-safe). The table, or NULL when it cannot be
 * loaded (pq_dyn_error() says why). */
const PqApi *pq_dyn(void);
const char *pq_dyn_error(void);

#ifndef MC_PQ_DYN_IMPL
#define PQstatus (pq_dyn()->p_PQstatus)
#define PQfinish (pq_dyn()->p_PQfinish)
#define PQerrorMessage (pq_dyn()->p_PQerrorMessage)
#define PQpass (pq_dyn()->p_PQpass)
#define PQresultStatus (pq_dyn()->p_PQresultStatus)
#define PQgetResult (pq_dyn()->p_PQgetResult)
#define PQfreemem (pq_dyn()->p_PQfreemem)
#define PQconsumeInput (pq_dyn()->p_PQconsumeInput)
#define PQclear (pq_dyn()->p_PQclear)
#define PQsocket (pq_dyn()->p_PQsocket)
#define PQsendQueryParams (pq_dyn()->p_PQsendQueryParams)
#define PQresultErrorField (pq_dyn()->p_PQresultErrorField)
#define PQntuples (pq_dyn()->p_PQntuples)
#define PQnfields (pq_dyn()->p_PQnfields)
#define PQtransactionStatus (pq_dyn()->p_PQtransactionStatus)
#define PQsetSingleRowMode (pq_dyn()->p_PQsetSingleRowMode)
#define PQsetNoticeProcessor (pq_dyn()->p_PQsetNoticeProcessor)
#define PQsendQuery (pq_dyn()->p_PQsendQuery)
#define PQresultErrorMessage (pq_dyn()->p_PQresultErrorMessage)
#define PQnotifies (pq_dyn()->p_PQnotifies)
#define PQisBusy (pq_dyn()->p_PQisBusy)
#define PQgetvalue (pq_dyn()->p_PQgetvalue)
#define PQgetlength (pq_dyn()->p_PQgetlength)
#define PQgetisnull (pq_dyn()->p_PQgetisnull)
#define PQgetCancel (pq_dyn()->p_PQgetCancel)
#define PQfreeCancel (pq_dyn()->p_PQfreeCancel)
#define PQfname (pq_dyn()->p_PQfname)
#define PQexecParams (pq_dyn()->p_PQexecParams)
#define PQescapeIdentifier (pq_dyn()->p_PQescapeIdentifier)
#define PQconninfoParse (pq_dyn()->p_PQconninfoParse)
#define PQconninfoFree (pq_dyn()->p_PQconninfoFree)
#define PQconnectStartParams (pq_dyn()->p_PQconnectStartParams)
#define PQconnectPoll (pq_dyn()->p_PQconnectPoll)
#define PQcmdTuples (pq_dyn()->p_PQcmdTuples)
#define PQcancel (pq_dyn()->p_PQcancel)
#endif

#endif
