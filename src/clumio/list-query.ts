import type { ClumioSort } from './clumio-client';

/**
 * A sorted, filtered upstream list, as Clumio will be asked for it: the contract's translation of
 * GraphQL `filter`/`orderBy` into Clumio's `filter` JSON and `sort`.
 *
 *   filter.instanceId      → {"instance_id":{"$eq":…}}
 *   filter.startTimestamp  → {"start_timestamp":{"$lte":…,"$gt":…}}
 *   orderBy direction      → sort=-start_timestamp (DESC, the default) / sort=start_timestamp (ASC)
 *
 * `key` identifies the list exactly (keys are always written in the same order), so it serves as
 * the de-duplication key for page fetches and the binding of cursors.
 */
export interface ListQuery {
  sort: ClumioSort;
  /** Compact JSON, or '' when nothing is filtered. */
  filter: string;
  key: string;
}

export interface ListCriteria {
  instanceId?: string | null;
  startedAtOrBefore?: string | null;
  startedAfter?: string | null;
  direction?: 'ASC' | 'DESC' | null;
}

/** The same criteria with other `start_timestamp` bounds (a cursor's cut of the caller's list). */
export function withStartTimeBounds(criteria: ListCriteria, bounds: { lte?: string | undefined; gt?: string | undefined }): ListCriteria {
  return { ...criteria, startedAtOrBefore: bounds.lte ?? null, startedAfter: bounds.gt ?? null };
}

export function listQuery(criteria: ListCriteria): ListQuery {
  const filter: Record<string, Record<string, string>> = {};
  if (criteria.instanceId != null) filter.instance_id = { $eq: criteria.instanceId };
  if (criteria.startedAtOrBefore != null || criteria.startedAfter != null) {
    const range: Record<string, string> = {};
    if (criteria.startedAtOrBefore != null) range.$lte = criteria.startedAtOrBefore;
    if (criteria.startedAfter != null) range.$gt = criteria.startedAfter;
    filter.start_timestamp = range;
  }
  const json = Object.keys(filter).length > 0 ? JSON.stringify(filter) : '';
  const sort: ClumioSort = criteria.direction === 'ASC' ? 'start_timestamp' : '-start_timestamp';
  return { sort, filter: json, key: `${sort} ${json}` };
}
