import { InvalidRequestError } from '../errors.js';

// polygon-clipping's own failures, on edges so nearly coincident that its sweep cannot order them
// (mfogel/polygon-clipping "Unable to complete output ring"), or rings it then nests in a cycle and
// recurses through until the stack runs out (found by write/write-scope.fuzz.test.ts)
const FAILURE = /^(Unable to complete output ring|Unable to find segment|Unable to pop|Infinite loop when|Tried to link already linked events|Tried to create degenerate segment)/;
const isFailure = (error: unknown): error is Error =>
  (error instanceof RangeError && error.message === 'Maximum call stack size exceeded') ||
  (error instanceof Error && error.constructor === Error && FAILURE.test(error.message));

/**
 * Runs work that clips polygons from a request; when polygon-clipping gives up on nearly coincident
 * edges, throws InvalidRequestError saying where instead of failing the request with a 500: the
 * geometry can be drawn so that clipping it is reliable.
 * @example clipped('the new boundary', () => polygonClipping.difference(boundary, grid))
 */
export function clipped<T>(what: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!isFailure(error)) throw error;
    const at = /\[(-?[\d.e-]+), ?(-?[\d.e-]+)\]/.exec(error.message);
    const where = at === null ? '' : ` near ${Number(at[1]).toFixed(7)}, ${Number(at[2]).toFixed(7)}`;
    throw new InvalidRequestError(
      `${what} has edges so nearly on top of others${where} that they cannot be compared reliably: draw shared edges through the same vertices, or keep them at least a centimetre apart`,
      { cause: error },
    );
  }
}
