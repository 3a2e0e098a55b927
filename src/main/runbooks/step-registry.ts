import type { StepKinds } from './step-kind';
import { pkiClientsStep, pkiIntermediateStep, pkiRootStep, pkiServerStep } from './steps/pki-steps';
import { exportFilesStep, exportWithKeysStep } from './steps/export-steps';
import { aioApplyStep, listenerMatrixStep, staticIpStep, trustBundleStep, waitListenerStep } from './steps/edge-steps';

/** Every step a runbook may use, by the name its `uses:` gives. */
export function builtInSteps(): StepKinds {
  return new Map([pkiRootStep, pkiIntermediateStep, pkiServerStep, pkiClientsStep, staticIpStep, aioApplyStep, waitListenerStep, listenerMatrixStep, trustBundleStep, exportFilesStep, exportWithKeysStep].map((k) => [k.name, k]));
}
