import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BehaviorBin, hostBins, hostVendor } from '../features/behavior.js';
import {
  BehaviorModel,
  type CaptureScore,
  type StreamedCaptureScore,
  type TrainingSample,
} from '../models/behavior.js';
import { analyzeCapture } from '../pipeline/analyze.js';
import { TEST_DATA } from './reference.js';
import { concatenatedCaptures } from './repeated-capture.js';

const SETUPS = `${TEST_DATA}iot-sentinel/setups`;
const SPLIT = JSON.parse(readFileSync(`${TEST_DATA}iot-sentinel/dev-split.json`, 'utf8')) as {
  train: string[];
  test: string[];
};

const behaviorOf = async (path: string) =>
  (await analyzeCapture(path, { behavior: true, warmupS: 0 })).behavior!;

/**
 * A behaviour model trained on the IoT Sentinel setups of the development split's training list, and each
 * type's MAC vendor prefix.
 */
export async function devSplitBehaviorModel(): Promise<{
  model: BehaviorModel;
  vendors: Map<string, string>;
}> {
  const train: TrainingSample[] = [];
  const vendors = new Map<string, string>();
  for (const file of SPLIT.train) {
    const type = file.split('-')[0]!;
    const behavior = await behaviorOf(setup(file));
    const vendor = hostVendor(behavior);
    if (vendor) vendors.set(type, vendor);
    for (const b of hostBins(behavior)) train.push({ group: file, label: type, vendor, ...b });
  }
  return { model: new BehaviorModel().fit(train), vendors };
}

/** The device windows of captures (paths) concatenated into one capture. */
export async function concatenatedWindows(paths: readonly string[]): Promise<BehaviorBin[]> {
  const dir = mkdtempSync(join(tmpdir(), 'networkml-windows-'));
  try {
    const merged = join(dir, 'merged.pcap');
    writeFileSync(merged, concatenatedCaptures(paths));
    return hostBins(await behaviorOf(merged));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The setup capture of that file name. */
export const setup = (file: string): string => join(SETUPS, file);

/**
 * Real behaviour windows whose types differ: one DLinkCam's test-split setups and the one where it also does
 * an EdimaxPlug1101W's job (test-data/behavior/wrongrole, made from its C9 setup, left out), one capture,
 * scored by devSplitBehaviorModel with a WeMoSwitch's MAC vendor prefix: some windows are not like the
 * WeMoSwitches (vendorLabel), one also like an EdimaxPlug1101W (otherType).
 */
export async function realTypedWindows(): Promise<{
  model: BehaviorModel;
  windows: BehaviorBin[];
  vendor: string;
  /** The windows scored with that vendor prefix, by scoreStream and by score. */
  stream: StreamedCaptureScore;
  full: CaptureScore;
}> {
  const { model, vendors } = await devSplitBehaviorModel();
  const cams = SPLIT.test
    .filter((f) => f.startsWith('DLinkCam-') && !f.startsWith('DLinkCam-C9-'))
    .map(setup);
  const wrongRole = `${TEST_DATA}behavior/wrongrole/DLinkCam-C9wrEdimaxPlug1101W-Mon0000-n00.pcap`;
  const windows = await concatenatedWindows([...cams, wrongRole]);
  const vendor = vendors.get('WeMoSwitch')!;
  const stream = model.scoreStream(
    { length: windows.length, get: (i) => windows[i]! },
    undefined,
    undefined,
    vendor,
  );
  return { model, windows, vendor, stream, full: model.score(windows, undefined, undefined, vendor) };
}
