/** Houses and door plates are never deleted: a retired one (废弃) keeps its record and the day it was retired. */
export const LIFE_STATUSES = ['在用', '废弃'] as const;
export type LifeStatus = (typeof LIFE_STATUSES)[number];
