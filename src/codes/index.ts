export { CodeError } from './code-error.js';
export type { CodeScheme } from './code-error.js';
export type { CodeCheck } from './code-check.js';
export {
  adminLevelOf,
  decodeAdminCode,
  encodeCommunityCode,
  encodeStreetCode,
  townshipKindNames,
  townshipKindOf,
  validateAdminCode,
} from './admin.js';
export type { AdminCode, AdminLevel, TownshipKind } from './admin.js';
export { decodeUnitGridCode, encodeUnitGridCode, validateUnitGridCode } from './unit-grid.js';
export type { UnitGridCode } from './unit-grid.js';
export {
  decodeDynamicCode,
  decodeSocialGridCode,
  encodeDynamicCode,
  encodeSocialStaticCode,
  formatSocialGridCode,
  nextDynamicCode,
  socialGridTypeNames,
  validateSocialGridCode,
} from './social-grid.js';
export type { DynamicCode, SocialGridCode, SocialGridType } from './social-grid.js';
export {
  componentClassName,
  extendComponentClasses,
  findComponentClass,
  findComponentMajor,
  loadComponentClasses,
} from './component-classes.js';
export type {
  ComponentClass,
  ComponentClassExtension,
  ComponentClassTable,
  ComponentGeometry,
  ComponentMajor,
  LocalComponentClass,
  LocalComponentMajor,
} from './component-classes.js';
export { decodeComponentCode, encodeComponentCode, validateComponentCode } from './component.js';
export type { ComponentCode } from './component.js';
export { parseGridCode, validateGridCode } from './grid-code.js';
export type { GridCode } from './grid-code.js';
