/**
 * @generated SignedSource<<51f836e1fa83ff40552da12770531375>>
 * @lightSyntaxTransform
 */

/* tslint:disable */
/* eslint-disable */
// @ts-nocheck

import { ReaderFragment } from 'relay-runtime';
export type BackupType = "AWS_SNAPSHOT" | "CLUMIO_BACKUP" | "%future added value";
import { FragmentRefs } from "relay-runtime";
export type BackupRow_backup$data = {
  readonly attachedBackupEbsVolumes: ReadonlyArray<{
    readonly isRoot: boolean | null | undefined;
    readonly sizeInBytes: number | string | null | undefined;
    readonly utilizedSizeInBytes: number | string | null | undefined;
    readonly volumeNativeId: string | null | undefined;
  }> | null | undefined;
  readonly awsRegion: string | null | undefined;
  readonly backupId: string;
  readonly expirationTimestamp: string | null | undefined;
  readonly id: string;
  readonly instance: {
    readonly id: string;
    readonly instanceId: string;
  };
  readonly instanceNativeId: string | null | undefined;
  readonly sizeInGb: number | string | null | undefined;
  readonly startTimestamp: string | null | undefined;
  readonly type: BackupType | null | undefined;
  readonly " $fragmentType": "BackupRow_backup";
};
export type BackupRow_backup$key = {
  readonly " $data"?: BackupRow_backup$data;
  readonly " $fragmentSpreads": FragmentRefs<"BackupRow_backup">;
};

import BackupRowRefetchQuery_graphql from './BackupRowRefetchQuery.graphql';

const node: ReaderFragment = (function(){
var v0 = {
  "alias": null,
  "args": null,
  "kind": "ScalarField",
  "name": "id",
  "storageKey": null
};
return {
  "argumentDefinitions": [],
  "kind": "Fragment",
  "metadata": {
    "refetch": {
      "connection": null,
      "fragmentPathInResult": [
        "node"
      ],
      "operation": BackupRowRefetchQuery_graphql,
      "identifierInfo": {
        "identifierField": "id",
        "identifierQueryVariableName": "id"
      }
    }
  },
  "name": "BackupRow_backup",
  "selections": [
    (v0/*:: as any*/),
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "backupId",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "startTimestamp",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "expirationTimestamp",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "type",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "instanceNativeId",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "kind": "ScalarField",
      "name": "awsRegion",
      "storageKey": null
    },
    {
      "alias": "sizeInGb",
      "args": null,
      "kind": "ScalarField",
      "name": "size",
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "concreteType": "Ec2Instance",
      "kind": "LinkedField",
      "name": "instance",
      "plural": false,
      "selections": [
        (v0/*:: as any*/),
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "instanceId",
          "storageKey": null
        }
      ],
      "storageKey": null
    },
    {
      "alias": null,
      "args": null,
      "concreteType": "AttachedEbsVolume",
      "kind": "LinkedField",
      "name": "attachedBackupEbsVolumes",
      "plural": true,
      "selections": [
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "volumeNativeId",
          "storageKey": null
        },
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "isRoot",
          "storageKey": null
        },
        {
          "alias": "sizeInBytes",
          "args": null,
          "kind": "ScalarField",
          "name": "size",
          "storageKey": null
        },
        {
          "alias": null,
          "args": null,
          "kind": "ScalarField",
          "name": "utilizedSizeInBytes",
          "storageKey": null
        }
      ],
      "storageKey": null
    }
  ],
  "type": "Ec2InstanceBackup",
  "abstractKey": null
};
})();

(node as any).hash = "db5bdb2c586e83de12eb180676e0a63b";

export default node;
