// STUB: implemented by the engine work in progress. Signature is final.
import type { ProgramPaths } from './runTypes';
import type { DoctorCheck } from './doctorTypes';
export async function runDoctor(_programs: ProgramPaths = {}): Promise<DoctorCheck[]> {
  return [];
}
