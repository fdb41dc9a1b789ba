/**
 * A faithful in-process fake of the Microsoft identity platform token endpoint and of the Microsoft Graph v1.0
 * endpoints the provisioning engine reads, served over HTTP on 127.0.0.1 by {@link
 * io.github.provisioning.sandbox.graph.GraphSimulator}, backed by a mutable {@link
 * io.github.provisioning.sandbox.graph.Tenant}.
 *
 * <h2>URLs</h2>
 * <pre>
 * POST {login}/{tenantId}/oauth2/v2.0/token                     client_credentials + client_secret or client_assertion
 *                                                               (an uploaded certificate), scope {graph origin}/.default
 * GET  {graph}/users/delta?$select=a,b                          first round; also $deltatoken=latest
 * GET  {graph}/users/delta?$select=a,manager                    manager@delta
 * GET  {graph}/users/delta?$skiptoken=...                       @odata.nextLink (absolute URL)
 * GET  {graph}/users/delta?$deltatoken=...                      @odata.deltaLink (absolute URL)
 * GET  {graph}/users/{id or userPrincipalName}?$select=...      also $expand=manager($select=...)
 * GET  {graph}/users/{id or userPrincipalName}/manager?$select=...  404 when there is none
 * GET  {graph}/users?$select=..&amp;$top=..                          plain list, $top 1..999 (default 100)
 * GET  {graph}/groups/delta?$select=displayName,members         members@delta; big groups span pages
 * GET  {graph}/groups/{id}?$select=...     GET {graph}/groups?$top=..
 * GET  {graph}/groups/{id}/members?$select=id&amp;$top=..            direct members only, paged
 * GET  {graph}/servicePrincipals/{appId}                         minimal service principal
 * GET  {graph}/servicePrincipals/{appId}/appRoleAssignedTo?$top=.. paged
 * </pre>
 * where {@code {login}} is {@code http://127.0.0.1:PORT} and {@code {graph}} is {@code {login}/v1.0}.
 *
 * <h2>Faults</h2>
 * {@code failNext} (429 with {@code Retry-After}, 503, any error status), {@code slowNext} (the normal answer, held
 * back) and a seeded random {@code faults} profile (a share of the requests throttled, unavailable or slow), on
 * every endpoint or on the paths a pattern finds, the token endpoint included. Graph's errors come in Graph's body
 * ({@code TooManyRequests}, {@code serviceNotAvailable}), the token endpoint's in Entra's
 * ({@code temporarily_unavailable}, AADSTS codes). Each recorded request has the time it arrived, so a test can
 * check that a client waited Retry-After before it came back.
 *
 * <h2>Where Graph leaves room, this simulator chooses</h2>
 * <ul>
 *   <li>An unknown, expired or invalidated delta or skip token answers 400 {@code syncStateNotFound}, as Graph
 *       does for directory objects (410 Gone belongs to other workloads). Tokens last seven days, and
 *       {@code GraphSimulator.invalidateDeltaTokens()} expires them all at once.</li>
 *   <li>A delta round reports changes made after the round began (its deltaLink starts from that point), so a
 *       change made while a round is paged may come twice but is never lost.</li>
 *   <li>An unknown path segment answers 400 BadRequest "Resource not found for the segment 'x'.", an unknown or
 *       deleted object 404 {@code Request_ResourceNotFound}, as Graph does.</li>
 *   <li>An unknown client_id answers 400 {@code unauthorized_client} (AADSTS700016), a wrong secret 401
 *       {@code invalid_client} (AADSTS7000215), as Entra does.</li>
 *   <li>{@code Prefer: return=minimal} is ignored: later rounds always carry every selected property, which
 *       Graph allows. {@code $filter}, {@code $search}, {@code $orderby} and {@code $expand} answer 400
 *       {@code Request_UnsupportedQuery} rather than being silently ignored.</li>
 *   <li>A soft-deleted user drops out of its groups (members@delta reports it removed) and out of
 *       appRoleAssignedTo; a restore brings both back.</li>
 *   <li>A deleted manager disappears from its reports: /manager answers 404 and manager@delta reports it
 *       {@code @removed: deleted}. A restore brings the manager back to its reports; a hard delete ends the
 *       link for good.</li>
 *   <li>Users delta tracks manager when $select names it, or when there is no $select (Graph then tracks every
 *       property and relationship). A first round carries {@code manager@delta: [{"@odata.type", "id"}]} for
 *       every user with a manager; a later round carries it only for a user whose manager changed, and a
 *       manager change alone brings a user back only into rounds that track manager. $expand stays rejected
 *       on delta, as Graph rejects it; on a single user only {@code $expand=manager} (optionally with an inner
 *       $select) is understood, and the expanded property is left out when there is no manager.</li>
 * </ul>
 */
package io.github.provisioning.sandbox.graph;
