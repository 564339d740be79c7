import { invalid, type RequestError } from '@addispay/domain';

/** DATETIME holds years 1000 to 9999; a time filter outside them (or not a time at all) is the caller's error,
 * not a query for the database to fail on. */
const EARLIEST_STORABLE = Date.UTC(1000, 0, 1);
const LATEST_STORABLE = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function checkTimeFilter(field: string, time: Date | undefined): RequestError | undefined {
  if (time === undefined) return undefined;
  const epochMs = time.getTime();
  if (epochMs >= EARLIEST_STORABLE && epochMs <= LATEST_STORABLE) return undefined;
  return invalid(field, 'must be a time from the year 1000 to 9999');
}
