import { Initial1764374400000 } from './1764374400000-Initial';

/** Every migration, in order. Schema changes happen here and nowhere else. */
export const MIGRATIONS = [Initial1764374400000];
