// Limits of the source lists on request (SourceQuery / SourcePage, see tsro.proto): how many
// sources tsro's node wants listed at admission, how many names one query may carry and how many
// sources one page of a listing holds.

/** tsro's node asks for the whole source list only up to this many sources (Handshake.source_list_limit). */
export const SOURCE_LIST_LIMIT = 1000;

/** Most names one SourceQuery may ask for; more is a PROTOCOL_ERROR. */
export const MAX_QUERY_NAMES = 256;

/** Most sources in one page of a listing (a host may send fewer, to stay within a frame budget). */
export const PAGE_SOURCES = 1000;
