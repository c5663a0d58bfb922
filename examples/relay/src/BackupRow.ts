import { graphql } from 'relay-runtime';

/**
 * One row of the backups list, and the detail a row expands to. `@refetchable` makes relay-compiler
 * generate BackupRowRefetchQuery, `node(id: $id) { ...BackupRow_backup }`: Ec2InstanceBackup
 * implements Node, so the row reloads itself by its global `id` (useRefetchableFragment in React).
 */
export const BackupRowFragment = graphql`
  fragment BackupRow_backup on Ec2InstanceBackup @refetchable(queryName: "BackupRowRefetchQuery") {
    id
    backupId
    startTimestamp
    expirationTimestamp
    type
    instanceNativeId
    awsRegion
    sizeInGb: size
    instance {
      id
      instanceId
    }
    attachedBackupEbsVolumes {
      volumeNativeId
      isRoot
      sizeInBytes: size
      utilizedSizeInBytes
    }
  }
`;
