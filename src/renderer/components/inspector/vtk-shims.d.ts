// vtk.js ships no type declarations for ImageMarchingCubes; this is the part the inspector uses.
declare module '@kitware/vtk.js/Filters/General/ImageMarchingCubes' {
  import type { vtkImageData } from '@kitware/vtk.js/Common/DataModel/ImageData'
  import type { vtkPolyData } from '@kitware/vtk.js/Common/DataModel/PolyData'

  export interface vtkImageMarchingCubes {
    setInputData(image: vtkImageData): void
    setContourValue(value: number): boolean
    getOutputData(): vtkPolyData
    delete(): void
  }
  const vtkImageMarchingCubes: {
    newInstance(initial?: { contourValue?: number; computeNormals?: boolean; mergePoints?: boolean }): vtkImageMarchingCubes
  }
  export default vtkImageMarchingCubes
}
