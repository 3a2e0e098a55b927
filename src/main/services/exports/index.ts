// The exports area's exported interface: what other areas' services may import (.dependency-cruiser.cjs holds them to it).
export { ExportEngine, type ExportEngineOptions, type ExportLog } from './export-engine';
export type { ExportAio, ExportPki } from './export-model';
export { mosquittoCommand, type CommandFile } from './mosquitto-command';
export { toMqttx, type ProfileFiles } from './mqttx-format';
export { PUBLIC_MODE, SECRET_MODE, openOwnFolder, writeOnce } from './safe-write';
export { saveWithDialog, type SaveDialog } from './save-dialog';
