// The unit of bulk work everywhere bytes move in bulk (dump, diff, search, Save, Save As,
// export, import, file copies): large enough that per-call costs vanish (copying 4 MiB takes
// well under a millisecond), small enough that a long job yields between chunks, reports
// progress and can be cancelled.
export const BULK_CHUNK = 4 << 20;
