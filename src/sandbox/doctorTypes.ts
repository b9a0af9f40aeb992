// What `fence-lens doctor` (and the extension's welcome views) learn about this machine.

export type CheckId = 'fence' | 'bwrap' | 'socat' | 'bpftrace' | 'tracefs' | 'helper' | 'pkexec' | 'polkit' | 'privilege';

export interface DoctorCheck {
  readonly id: CheckId;
  readonly ok: boolean;
  /** What was found (a path, a version) or what is wrong. */
  readonly detail: string;
  /** How to fix it, when not ok. */
  readonly fix?: string;
  /** The check could not tell (it needs privileges it does not have); `ok` is then true, so it fails nothing. */
  readonly unknown?: boolean;
}
