import { PlugZap, RefreshCw } from 'lucide-react';
import { useShallow } from 'zustand/react/shallow';
import { Button, Dialog, Progress, StatusBadge, Table, type TableColumn } from '../../ui';
import { useAppStore } from '../../core/use-app-store';
import { useJobsStore } from '../../core/use-jobs-store';
import { SELF_TEST_STEPS, useDoctorStore, type DoctorReport } from './use-doctor-store';
import './doctor-dialog.css';

type ToolRow = DoctorReport['tools'][number];

const sentenceCase = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

const TOOL_COLUMNS: TableColumn<ToolRow>[] = [
  { key: 'label', header: 'Tool', sortValue: (t) => t.label, render: (t) => <span className="fb-doctor__tool-name">{t.label}</span>, width: '19%' },
  {
    key: 'found',
    header: 'Status',
    sortValue: (t) => (t.found ? 1 : 0),
    render: (t) => (t.found ? <StatusBadge status="ok" label="Found" /> : <StatusBadge status="warning" label="Missing" />),
    width: '13%',
  },
  { key: 'usedFor', header: 'Used for', render: (t) => sentenceCase(t.usedFor), width: '32%' },
  {
    key: 'detail',
    header: 'Version or what to do',
    render: (t) =>
      t.found ? (
        <span className="fb-doctor__muted">
          {t.version ? `${t.version} · ` : ''}
          <code>{t.path}</code>
        </span>
      ) : (
        <span className="fb-doctor__muted">{t.hint}</span>
      ),
    width: '36%',
  },
];

function SelfTest() {
  const { jobId, outcome, run, cancel } = useDoctorStore(
    useShallow((s) => ({ jobId: s.selfTestJobId, outcome: s.selfTestOutcome, run: s.runSelfTest, cancel: s.cancelSelfTest })),
  );
  const job = useJobsStore((s) => (jobId ? s.jobs[jobId] : undefined));
  const transportLabel = useAppStore((s) => s.transportLabel);

  return (
    <section className="fb-doctor__section" aria-labelledby="fb-doctor-selftest">
      <div className="fb-doctor__section-head">
        <h3 id="fb-doctor-selftest">Connection to Fieldbench</h3>
      </div>
      <p className="fb-doctor__lead">
        Checks that this window reaches Fieldbench ({transportLabel.toLowerCase()}): one call, then a short job you can cancel.
      </p>
      <div className="fb-doctor__card">
        {job ? (
          <Progress label="Connection test" message={job.message} fraction={job.fraction} onCancel={() => void cancel()} cancelling={job.status === 'cancelling'} />
        ) : (
          <div className="fb-doctor__result">
            <Button variant="primary" icon={<PlugZap size={18} />} onClick={() => void run()}>
              Test the connection
            </Button>
            {outcome?.kind === 'passed' ? (
              <>
                <StatusBadge status="ok" label="Passed" />
                <span>
                  {outcome.completedSteps} of {SELF_TEST_STEPS} steps; a call took {outcome.roundTripMs} ms.
                </span>
              </>
            ) : null}
            {outcome?.kind === 'cancelled' ? (
              <>
                <StatusBadge status="warning" label="Cancelled" />
                <span>You stopped the test; Fieldbench stopped the job.</span>
              </>
            ) : null}
            {outcome?.kind === 'failed' ? (
              <>
                <StatusBadge status="error" label="Failed" />
                <span className="fb-doctor__error">{outcome.error.message}</span>
              </>
            ) : null}
          </div>
        )}
      </div>
    </section>
  );
}

function Report({ report }: { report: DoctorReport }) {
  const missing = report.tools.filter((t) => !t.found).length;
  return (
    <>
      <section className="fb-doctor__section" aria-labelledby="fb-doctor-tools">
        <div className="fb-doctor__section-head">
          <h3 id="fb-doctor-tools">Tools on this machine</h3>
          {missing === 0 ? <StatusBadge status="ok" label="All found" /> : <StatusBadge status="warning" label={`${missing} missing`} />}
        </div>
        <Table caption="Tools Fieldbench uses" captionHidden columns={TOOL_COLUMNS} rows={report.tools} rowKey={(t) => t.id} density="compact" />
      </section>
      <section className="fb-doctor__section" aria-labelledby="fb-doctor-data">
        <h3 id="fb-doctor-data">Data and runtime</h3>
        <dl className="fb-doctor__facts">
          <dt>Data folder</dt>
          <dd>
            <code className="fb-doctor__path">{report.dataDir.path}</code>
            {report.dataDir.exists ? null : <StatusBadge status="warning" label="Not created yet" />}
            {report.dataDir.exists && !report.dataDir.writable ? <StatusBadge status="error" label="Not writable" /> : null}
            {report.dataDir.exists && report.dataDir.writable ? <StatusBadge status="ok" label="Writable" /> : null}
          </dd>
          <dt>Desktop runtime</dt>
          <dd>
            {report.electron.found ? <StatusBadge status="ok" label="Electron found" /> : <StatusBadge status="unknown" label="Not installed" />}
            <span className="fb-doctor__muted">{report.electron.found ? report.electron.path : report.electron.hint}</span>
          </dd>
        </dl>
      </section>
    </>
  );
}

/** "Check this machine": the tools the features rely on, the data folder, and a live test of the bridge. */
export function DoctorDialog() {
  const { open, report, checking, error, hide, check } = useDoctorStore(
    useShallow((s) => ({ open: s.open, report: s.report, checking: s.checking, error: s.error, hide: s.hide, check: s.check })),
  );
  return (
    <Dialog
      open={open}
      onClose={hide}
      size="lg"
      title="Check this machine"
      description="What Fieldbench finds here, and what to install for the parts you need."
      footer={
        <>
          <Button icon={<RefreshCw size={18} />} loading={checking} onClick={() => void check()}>
            Check again
          </Button>
          <Button variant="primary" onClick={hide}>
            Close
          </Button>
        </>
      }
    >
      <div className="fb-doctor">
        <SelfTest />
        {error ? (
          <p role="alert" className="fb-doctor__error">
            {error.message}
          </p>
        ) : null}
        {report ? <Report report={report} /> : checking ? <p className="fb-doctor__muted">Checking the tools…</p> : null}
      </div>
    </Dialog>
  );
}
